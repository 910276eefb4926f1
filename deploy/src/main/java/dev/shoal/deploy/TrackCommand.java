package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.ingest.VideoFileSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code shoal track VIDEO --animals N}: one video file through the whole pipeline to trajectories. */
@Command(name = "track", mixinStandardHelpOptions = true,
        description = "Track the animals in a video file and write trajectories.csv and summary.json.")
public final class TrackCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "VIDEO", description = "Video file (any format FFmpeg reads).")
    Path video;

    @Option(names = "--animals", required = true, paramLabel = "N", description = "Number of animals in the arena.")
    int animals;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory (default: out/<video name> in the current directory).")
    Path out;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka cluster to use; without it an embedded broker runs in this process.")
    String bootstrap;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the embedded broker and stream state live while running (default: system temp).")
    Path workDir;

    @Mixin
    SegmentationOptions segmentation;

    @Mixin
    TrainingMethodOption training;

    @Option(names = "--warmup-seconds", defaultValue = "0",
            description = "Video time at the start the background is built from (default 0: frames sampled over the"
                    + " whole video, so animals resting at the start do not become background).")
    double warmupSeconds;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics while tracking (default: off; 0 for any free port).")
    Integer metricsPort;

    @Option(names = "--parquet",
            description = "Also write trajectories.parquet: the rows of trajectories.csv, GZIP-compressed (default: off).")
    boolean parquet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (animals < 1) {
            throw new BadInputException("--animals " + animals + ": must be at least 1; give the number of animals in the arena");
        }
        segmentation.check();
        if (warmupSeconds < 0) {
            throw new BadInputException("--warmup-seconds " + warmupSeconds + ": give 0 (whole video) or more");
        }
        try (VideoFileSource source = VideoFileSource.open(video);
             MetricsEndpoint metrics = metricsPort == null ? null : MetricsEndpoint.start(metricsPort)) {
            Path outDir = out != null ? out : Path.of("out", stripExtension(video.getFileName().toString()));
            OutputDirectory.requireWritable("--out", outDir);
            TrackJob job = new TrackJob(source, animals, outDir, bootstrap,
                    workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir")),
                    segmentation.settings(source.width(), source.height()), segmentation.warmUp(warmupSeconds, animals),
                    training.method, metrics, parquet);
            PrintWriter err = spec.commandLine().getErr();
            TrackSummary summary = job.run(err);
            err.println(summary.report());
        }
        return 0;
    }


    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
