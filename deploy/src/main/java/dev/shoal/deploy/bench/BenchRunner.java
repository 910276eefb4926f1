package dev.shoal.deploy.bench;

import dev.shoal.core.BadInputException;
import dev.shoal.core.progress.ProgressLine;
import dev.shoal.deploy.bench.BenchScenario.Columns;
import dev.shoal.deploy.bench.BenchScenario.Peer;
import dev.shoal.identifier.evaluation.FrameSeries;
import dev.shoal.identifier.evaluation.PointColumns;
import dev.shoal.identifier.evaluation.PointObservation;
import dev.shoal.identifier.evaluation.PointSeriesReader;
import dev.shoal.identifier.evaluation.ProximityTouching;
import dev.shoal.identifier.evaluation.TrackingEvaluation;
import dev.shoal.ingest.VideoFileSource;
import dev.shoal.ingest.arena.ArenaCodec;
import dev.shoal.ingest.arena.ArenaRecording;
import dev.shoal.ingest.arena.ArenaSettings;
import dev.shoal.ingest.arena.Difficulty;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs one scenario: prepares its video (renders an arena once, or finds the clip), measures FFmpeg
 * decoding it alone, runs {@code shoal track} on it in its own JVM, and scores the trajectories and
 * any peer tracker's output against the truth with the same evaluator.
 */
final class BenchRunner {

    /** Radius for arena scoring: animals are ~46 px long at 1024x1024 and positions are sub-pixel. */
    private static final double ARENA_RADIUS = 10;

    private final Path dataDir;
    private final Path workDir;
    private final ShoalProcess shoal;
    private final PrintWriter err;

    BenchRunner(Path dataDir, Path workDir, ShoalProcess shoal, PrintWriter err) {
        this.dataDir = dataDir;
        this.workDir = workDir;
        this.shoal = shoal;
        this.err = err;
    }

    /** shoal's row, then one row per peer; a skipped or failed scenario gives one row saying why. */
    List<BenchResult> run(BenchScenario scenario, String position) throws IOException, InterruptedException {
        Path video;
        Path truthFile;
        if (scenario.arena() != null) {
            Path dir = workDir.resolve("arena-" + scenario.name());
            video = dir.resolve(ArenaCodec.FFV1.fileName());
            truthFile = dir.resolve("truth.csv");
            if (!Files.isRegularFile(dir.resolve("arena.json"))) {
                render(scenario, dir, position);
            }
        } else {
            video = dataDir.resolve(scenario.clip().video());
            truthFile = dataDir.resolve(scenario.clip().truth().file());
            if (!Files.isRegularFile(video) || !Files.isRegularFile(truthFile)) {
                String absent = Files.isRegularFile(video) ? truthFile.toString() : video.toString();
                err.println("bench " + position + " " + scenario.name() + ": skipped, " + absent + " is absent");
                return List.of(BenchResult.notRun(scenario, "skipped", absent + " is absent (see --data)"));
            }
        }
        err.println("bench " + position + " " + scenario.name() + ": FFmpeg decoding alone (the baseline)");
        Decode decode = decodeAlone(video);
        Path out = workDir.resolve("tracked-" + scenario.name());
        List<String> args = new ArrayList<>(List.of("track", video.toString(), "--animals",
                Integer.toString(scenario.animals()), "--out", out.toString()));
        if (scenario.clip() != null && scenario.clip().track() != null) {
            args.addAll(scenario.clip().track());
        }
        err.println("bench " + position + " " + scenario.name() + ": shoal " + String.join(" ", args));
        ShoalProcess.Outcome run = shoal.run(args, err);
        String resolution = decode.width + "x" + decode.height;
        if (run.exitCode() != 0) {
            return List.of(new BenchResult(scenario.name(), shoalLabel(scenario), "failed",
                    "track exited with " + run.exitCode() + ": " + run.lastLine(), scenario.animals(), decode.frames,
                    resolution, decode.videoFps, run.wallSeconds(), 0, 0, decode.fps(), 0, run.peakRssMb(),
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    new ArrayList<>()));
        }
        double fps = decode.frames / run.wallSeconds();
        BenchResult shoalRow = new BenchResult(scenario.name(), shoalLabel(scenario), "ok", run.lastLine(),
                scenario.animals(), decode.frames, resolution, decode.videoFps, run.wallSeconds(), fps,
                decode.videoFps > 0 ? decode.frames / decode.videoFps / run.wallSeconds() : 0, decode.fps(),
                fps / decode.fps(), run.peakRssMb(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, new ArrayList<>());
        List<BenchResult> rows = new ArrayList<>();
        FrameSeries<PointObservation> truth = readTruth(scenario, truthFile, null, null);
        FrameSeries<PointObservation> tracks = PointSeriesReader.read(out.resolve("trajectories.csv"),
                PointColumns.shoalDefaults("trajectories.csv"));
        rows.add(shoalRow.withMetrics(TrackingEvaluation.ofPoints(truth, tracks, radius(scenario)).metrics())
                .withAllIdentified(allIdentified(tracks, scenario.animals(), decode.frames)));
        for (Peer peer : scenario.peers()) {
            FrameSeries<PointObservation> peerTruth = readTruth(scenario, truthFile, peer.truthX(), peer.truthY());
            FrameSeries<PointObservation> peerTracks = PointSeriesReader.read(dataDir.resolve(peer.file()),
                    new PointColumns(or(peer.frame(), "frame"), or(peer.id(), "identity"), or(peer.x(), "x"),
                            or(peer.y(), "y"), null, "scenario " + scenario.name() + " peer"));
            BenchResult peerRow = new BenchResult(scenario.name(), peer.name(), "ok", peer.file(), scenario.animals(),
                    decode.frames, resolution, decode.videoFps, 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, new ArrayList<>());
            rows.add(peerRow.withMetrics(TrackingEvaluation.ofPoints(peerTruth, peerTracks, radius(scenario)).metrics())
                    .withAllIdentified(allIdentified(peerTracks, scenario.animals(), decode.frames)));
        }
        return rows;
    }

    private void render(BenchScenario scenario, Path dir, String position) throws IOException {
        BenchScenario.Arena a = scenario.arena();
        Difficulty difficulty;
        try {
            difficulty = Difficulty.valueOf(a.difficulty().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("scenario " + scenario.name() + ", field 'arena.difficulty': '" + a.difficulty()
                    + "' is unknown; give easy, medium or hard");
        }
        ArenaRecording recording = new ArenaRecording(new ArenaSettings(a.animals(), a.frames(), a.size(), a.size(),
                a.fpsOrDefault(), a.seedOrDefault(), difficulty, 0), ArenaCodec.FFV1);
        try (ProgressLine line = new ProgressLine("bench " + position + " " + scenario.name() + ": rendering",
                "frames", recording::framesWritten, a.frames(), null, err, Duration.ofSeconds(2))) {
            recording.writeTo(dir);
        }
    }

    private record Decode(long frames, int width, int height, double videoFps, double seconds) {
        double fps() {
            return frames / seconds;
        }
    }

    private static Decode decodeAlone(Path video) throws IOException {
        long start = System.nanoTime();
        long frames = 0;
        try (VideoFileSource source = VideoFileSource.open(video)) {
            while (source.next() != null) {
                frames++;
            }
            return new Decode(frames, source.width(), source.height(), source.fps(), (System.nanoTime() - start) / 1e9);
        }
    }

    private FrameSeries<PointObservation> readTruth(BenchScenario scenario, Path file, String x, String y) {
        FrameSeries<PointObservation> truth;
        if (scenario.arena() != null) {
            truth = PointSeriesReader.read(file, PointColumns.shoalDefaults("truth"));
        } else {
            Columns c = scenario.clip().truth();
            truth = PointSeriesReader.read(file, new PointColumns(or(c.frame(), "frame"), or(c.id(), "identity"),
                    or(x, or(c.x(), "x")), or(y, or(c.y(), "y")), null, "scenario " + scenario.name() + " truth",
                    c.firstFrameOrDefault()));
        }
        Double apart = scenario.clip() == null ? null : scenario.clip().apart();
        return apart == null ? truth : ProximityTouching.mark(truth, apart);
    }

    /** Share of the video's frames in which {@code tracks} has a position for each of the animals. */
    static double allIdentified(FrameSeries<PointObservation> tracks, int animals, long videoFrames) {
        long complete = tracks.frames().values().stream().filter(frame -> frame.size() >= animals).count();
        return videoFrames > 0 ? (double) complete / videoFrames : Double.NaN;
    }

    /** shoal, or "shoal vs T" when tracker T's output stands in for a truth the clip does not have. */
    static String shoalLabel(BenchScenario scenario) {
        String reference = scenario.clip() == null ? null : scenario.clip().truth().tracker();
        return reference == null ? BenchResult.SHOAL : BenchResult.SHOAL + " vs " + reference;
    }

    private static double radius(BenchScenario scenario) {
        return scenario.clip() != null ? scenario.clip().radius() : ARENA_RADIUS;
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
