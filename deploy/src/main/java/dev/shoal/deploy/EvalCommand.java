package dev.shoal.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shoal.core.BadInputException;
import dev.shoal.identifier.evaluation.EvaluationResult;
import dev.shoal.identifier.evaluation.FrameSeries;
import dev.shoal.identifier.evaluation.Mot15Reader;
import dev.shoal.identifier.evaluation.PointColumns;
import dev.shoal.identifier.evaluation.PointObservation;
import dev.shoal.identifier.evaluation.PointSeriesReader;
import dev.shoal.identifier.evaluation.TrackingEvaluation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code shoal eval}: scores a tracker's output against ground truth. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Scores tracks against ground truth: idtracker.ai identity accuracy, IDF1/IDP/IDR,",
                "CLEAR-MOT (MOTA, MOTP, FP, misses, ID switches, fragmentations), coverage, position error."})
final class EvalCommand implements Callable<Integer> {

    enum Format { points, mot15 }

    private static final Map<String, String> LABELS = labels();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRUTH", description = "Ground truth CSV (arena truth.csv, a SLEAP export, or a MOT15 gt.txt).")
    Path truthFile;

    @Parameters(index = "1", paramLabel = "TRACKS", description = "Tracks CSV (shoal's trajectories.csv, another tracker's CSV, or a MOT15 file).")
    Path tracksFile;

    @Option(names = "--format", defaultValue = "points", description = "points (match by distance) or mot15 (boxes, match by IoU). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--radius", paramLabel = "PX", defaultValue = "30", description = "points: largest truth-to-track distance that may match, pixels. Default: ${DEFAULT-VALUE}.")
    double radius;

    @Option(names = "--iou", paramLabel = "THRESHOLD", defaultValue = "0.5", description = "mot15: smallest IoU that may match. Default: ${DEFAULT-VALUE}.")
    double iou;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the figures as JSON to this file.")
    Path json;

    @Option(names = "--truth-frame", defaultValue = "frame", description = "Truth column: frame index. Default: ${DEFAULT-VALUE}.")
    String truthFrame;
    @Option(names = "--truth-id", defaultValue = "identity", description = "Truth column: identity. Default: ${DEFAULT-VALUE}.")
    String truthId;
    @Option(names = "--truth-x", defaultValue = "x", description = "Truth column: x. Default: ${DEFAULT-VALUE}.")
    String truthX;
    @Option(names = "--truth-y", defaultValue = "y", description = "Truth column: y. Default: ${DEFAULT-VALUE}.")
    String truthY;
    @Option(names = "--truth-touching", description = "Truth column: 0/1 touching flag. Default: 'touching' if present, else none touch.")
    String truthTouching;
    @Option(names = "--tracks-frame", defaultValue = "frame", description = "Tracks column: frame index. Default: ${DEFAULT-VALUE}.")
    String tracksFrame;
    @Option(names = "--tracks-id", defaultValue = "identity", description = "Tracks column: identity. Default: ${DEFAULT-VALUE}.")
    String tracksId;
    @Option(names = "--tracks-x", defaultValue = "x", description = "Tracks column: x. Default: ${DEFAULT-VALUE}.")
    String tracksX;
    @Option(names = "--tracks-y", defaultValue = "y", description = "Tracks column: y. Default: ${DEFAULT-VALUE}.")
    String tracksY;

    @Override
    public Integer call() throws IOException {
        EvaluationResult result;
        String matching;
        if (format == Format.points) {
            if (!(radius > 0) || Double.isInfinite(radius)) {
                throw new BadInputException("--radius " + radius + ": give a positive distance in pixels");
            }
            FrameSeries<PointObservation> truth = PointSeriesReader.read(truthFile,
                    new PointColumns(truthFrame, truthId, truthX, truthY, truthTouching, "--truth"));
            if (truth.size() == 0) {
                throw new BadInputException(truthFile + " line 2: no rows with a position; the truth must hold at least one");
            }
            FrameSeries<PointObservation> tracks = PointSeriesReader.read(tracksFile,
                    new PointColumns(tracksFrame, tracksId, tracksX, tracksY, null, "--tracks"));
            result = TrackingEvaluation.ofPoints(truth, tracks, radius);
            matching = String.format(Locale.ROOT, "points, Euclidean distance <= %s px", number(radius));
        } else {
            if (!(iou > 0 && iou <= 1)) {
                throw new BadInputException("--iou " + iou + ": give an overlap threshold in (0, 1]");
            }
            result = TrackingEvaluation.ofBoxes(Mot15Reader.read(truthFile), Mot15Reader.read(tracksFile), iou);
            matching = String.format(Locale.ROOT, "MOT15 boxes, IoU >= %s (MOTP in 1 - IoU)", number(iou));
        }
        printTable(spec.commandLine().getOut(), matching, result);
        if (json != null) {
            writeJson(matching, result);
        }
        return 0;
    }

    private static Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("identity_accuracy", "identity accuracy (non-touching)");
        m.put("identity_accuracy_matched", "identity accuracy (matched only)");
        m.put("identity_accuracy_all_frames", "identity accuracy (all frames)");
        m.put("idf1", "IDF1");
        m.put("idp", "IDP");
        m.put("idr", "IDR");
        m.put("mota", "MOTA");
        m.put("motp", "MOTP");
        m.put("recall", "recall");
        m.put("precision", "precision");
        m.put("coverage", "coverage");
        m.put("mean_position_error", "mean position error (px)");
        m.put("false_positives", "false positives");
        m.put("misses", "misses");
        m.put("id_switches", "ID switches");
        m.put("fragmentations", "fragmentations");
        m.put("idtp", "IDTP");
        m.put("idfp", "IDFP");
        m.put("idfn", "IDFN");
        m.put("matches", "matches");
        m.put("truth_animal_frames", "truth animal-frames");
        m.put("track_animal_frames", "track animal-frames");
        m.put("non_touching_animal_frames", "non-touching truth animal-frames");
        m.put("truth_identities", "truth identities");
        m.put("track_identities", "track identities");
        m.put("frames", "frames");
        return m;
    }

    private void printTable(PrintWriter out, String matching, EvaluationResult result) {
        out.println("truth:    " + truthFile);
        out.println("tracks:   " + tracksFile);
        out.println("matching: " + matching);
        out.println();
        out.printf(Locale.ROOT, "%-34s %12s%n", "metric", "value");
        for (Map.Entry<String, Number> e : result.metrics().entrySet()) {
            Number v = e.getValue();
            String value = v instanceof Double d ? String.format(Locale.ROOT, "%.6f", d) : v.toString();
            out.printf(Locale.ROOT, "%-34s %12s%n", LABELS.getOrDefault(e.getKey(), e.getKey()), value);
        }
        out.flush();
    }

    private void writeJson(String matching, EvaluationResult result) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("truth", truthFile.toString());
        report.put("tracks", tracksFile.toString());
        report.put("format", format.name());
        report.put("matching", matching);
        report.put(format == Format.points ? "radius_px" : "iou_threshold", format == Format.points ? radius : iou);
        report.put("metrics", result.metrics());
        Path target = json.toAbsolutePath();
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            throw new BadInputException("--json " + json + ": folder " + parent + " does not exist; create it or pick another path");
        }
        Path temp = Files.createTempFile(parent, target.getFileName().toString(), ".tmp");
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(temp.toFile(), report);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
