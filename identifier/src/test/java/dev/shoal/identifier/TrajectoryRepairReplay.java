package dev.shoal.identifier;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import dev.shoal.identifier.evaluation.EvaluationResult;
import dev.shoal.identifier.evaluation.PointColumns;
import dev.shoal.identifier.evaluation.PointSeriesReader;
import dev.shoal.identifier.evaluation.TrackingEvaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Measures (not a test) what the trajectory post-processing does to a tracked session offline: reads
 * a {@code trajectories.csv} that {@code shoal track} wrote, drops its interpolated rows (what the
 * writer added), feeds the rest to a {@link TrajectoryTable} as the writer would (the file's
 * identities already carry the corrections), repairs it with {@link TrajectoryPostProcessor} and
 * evaluates both the file as it was (the baseline) and the repaired rows against the truth, points
 * within the radius, as {@code shoal bench} does on the arena.
 *
 * <p>Arguments: trajectories.csv, truth.csv, max gap frames (30 = {@code shoal track}'s one second at
 * 30 fps), radius in pixels (10), max crossing seconds (2). Two repairs are evaluated, with the default
 * options: crossings bridged only within the gap limit, and up to the max crossing seconds.
 */
public final class TrajectoryRepairReplay {

    private TrajectoryRepairReplay() {
    }

    public static void main(String[] args) throws Exception {
        Path trajectories = Path.of(args[0]);
        Path truth = Path.of(args[1]);
        int maxGap = Integer.parseInt(args.length > 2 ? args[2] : "30");
        double radius = Double.parseDouble(args.length > 3 ? args[3] : "10");
        double crossingSeconds = Double.parseDouble(args.length > 4 ? args[4] : "2");

        TrajectoryTable table = trackedRows(trajectories);

        var truthSeries = PointSeriesReader.read(truth, PointColumns.shoalDefaults("--truth"));
        report("as written (baseline)", TrackingEvaluation.ofPoints(truthSeries,
                PointSeriesReader.read(trajectories, PointColumns.shoalDefaults("--tracks")), radius));
        Path dir = Files.createTempDirectory("shoal-repair-replay");
        TrajectoryPostProcessor.Options defaults = TrajectoryPostProcessor.Options.defaults(maxGap);
        for (TrajectoryPostProcessor.Options options : List.of(
                new TrajectoryPostProcessor.Options(maxGap, 0, defaults.speedPercentile(), defaults.speedFactor(),
                        defaults.crossingGateFactor()),
                new TrajectoryPostProcessor.Options(maxGap, crossingSeconds, defaults.speedPercentile(),
                        defaults.speedFactor(), defaults.crossingGateFactor()))) {
            TrajectoryPostProcessor.Result result = table.processed(options);
            Path csv = dir.resolve("trajectories.csv");
            TrajectoryTable.writeLong(result.rows(), csv);
            report(options + "\n  " + result.repairs(), TrackingEvaluation.ofPoints(truthSeries,
                    PointSeriesReader.read(csv, PointColumns.shoalDefaults("--tracks")), radius));
            Files.delete(csv);
        }
        Files.delete(dir);
    }

    private static void report(String what, EvaluationResult r) {
        System.out.printf(Locale.ROOT, "%s%n  IDF1 %.4f, identity accuracy %.4f (all frames %.4f), coverage %.4f,"
                        + " FP %d, misses %d, ID switches %d, mean position error %.2f px%n",
                what, r.idf1(), r.identityAccuracy(), r.identityAccuracyAllFrames(), r.coverage(),
                r.falsePositives(), r.misses(), r.idSwitches(), r.meanPositionError());
    }

    /**
     * The rows of a {@code trajectories.csv} that {@code shoal track} wrote, without its interpolated
     * ones (what the writer added), in a table as the writer fed it.
     */
    static TrajectoryTable trackedRows(Path trajectories) throws IOException {
        TrajectoryTable table = new TrajectoryTable();
        List<String> lines = Files.readAllLines(trajectories);
        FrameTracks.Builder frame = null;
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",");
            if (v[8].equals("1")) {
                continue;
            }
            long index = Long.parseLong(v[0]);
            if (frame != null && frame.getIndex() != index) {
                table.add(frame.build());
                frame = null;
            }
            if (frame == null) {
                frame = FrameTracks.newBuilder().setIndex(index).setMediaTimeS(Double.parseDouble(v[1]));
            }
            frame.addTracks(Track.newBuilder().setIdentity(Long.parseLong(v[2])).setX(Double.parseDouble(v[3]))
                    .setY(Double.parseDouble(v[4])).setAngle(Double.parseDouble(v[5]))
                    .setConfidence(Double.parseDouble(v[6])).setFragment(Long.parseLong(v[7])));
        }
        if (frame != null) {
            table.add(frame.build());
        }
        return table;
    }
}
