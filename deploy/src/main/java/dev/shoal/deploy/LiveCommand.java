package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.identifier.ModelFile;
import dev.shoal.identifier.stimulus.StimulusConfig;
import dev.shoal.identifier.stimulus.StimulusRulesFile;
import dev.shoal.ingest.FramePublisher;
import dev.shoal.ingest.FrameSource;
import dev.shoal.ingest.FrameSources;
import dev.shoal.ingest.SourceOptions;
import dev.shoal.ingest.arena.ArenaSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code shoal live --source SPEC --animals N [--rules rules.yaml]}: the whole pipeline on a live
 * source, with the closed loop and /metrics, until the source ends or Ctrl-C / SIGTERM. Every input
 * (source, rules, OSC receiver, metrics port) is checked before the broker starts.
 */
@Command(name = "live", mixinStandardHelpOptions = true,
        description = "Track a live source (camera, stream, arena:, or a file played at its own pace) until it ends"
                + " or Ctrl-C, with closed-loop stimulus rules and Prometheus metrics.")
public final class LiveCommand implements Callable<Integer> {

    /** The port {@code live} serves /metrics on unless told otherwise (Prometheus' range for exporters). */
    public static final int DEFAULT_METRICS_PORT = 9464;
    /** How long Ctrl-C / SIGTERM waits for the stages to drain and the report to print. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    @Option(names = "--source", required = true, paramLabel = "SPEC", description = "device:/dev/videoN,"
            + " rtsp:// rtp:// udp:// http(s):// srt://, arena:animals=N,fps=R,..., or a video file (played at its"
            + " own frame rate).")
    String source;

    @Option(names = "--animals", required = true, paramLabel = "N", description = "Number of animals in the arena.")
    int animals;

    @Option(names = "--rules", paramLabel = "FILE",
            description = "Closed-loop stimulus rules (YAML: rules and an optional osc receiver).")
    Path rules;

    @Option(names = "--metrics-port", defaultValue = "" + DEFAULT_METRICS_PORT, paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (default: ${DEFAULT-VALUE};"
                    + " 0 for any free port).")
    int metricsPort;

    @Option(names = "--no-metrics", description = "Do not serve /metrics.")
    boolean noMetrics;

    @Option(names = "--out", defaultValue = "out/live", paramLabel = "DIR",
            description = "Where trajectories.csv goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka cluster to use; without it an embedded broker runs in this process.")
    String bootstrap;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the embedded broker and the trainer's store live while running (default: system temp).")
    Path workDir;

    @Option(names = "--warmup-seconds", defaultValue = "3",
            description = "Time at the start the background is built from; segmenting then goes on from the frames"
                    + " after it, those of the warm-up are not segmented (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Mixin
    SegmentationOptions segmentation;

    @Mixin
    TrainingMethodOption training;

    @Option(names = "--model", paramLabel = "FILE",
            description = "An ONNX identity model (as the trainer exports: crops [batch, 1, S, S] in, probabilities"
                    + " [batch, N] out) to identify with from the first frame; the trainer then does not run.")
    Path model;

    @Option(names = "--queue", defaultValue = "" + FramePublisher.DEFAULT_LIVE_QUEUE_FRAMES, paramLabel = "FRAMES",
            description = "Frames the source may have waiting for the broker before the oldest is dropped"
                    + " (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--parquet",
            description = "Also write trajectories.parquet: the rows of trajectories.csv, GZIP-compressed (default: off).")
    boolean parquet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        boolean arena = source.startsWith("arena:");
        if (arena && ArenaSettings.parse(source).animals() != animals) {
            throw new BadInputException("--animals " + animals + ": the source " + source + " has "
                    + ArenaSettings.parse(source).animals() + " animals; give the same number to both");
        }
        DeferredTruthListener truth = arena ? new DeferredTruthListener() : null;
        SourceOptions options = SourceOptions.defaults().withPaced(true);
        try (FrameSource frames = arena ? FrameSources.openArena(source, options, truth)
                : FrameSources.open(source, options, new SimpleMeterRegistry())) {
            StimulusConfig stimulus = rules == null ? null
                    : StimulusRulesFile.read(rules, animals, frames.width(), frames.height());
            ModelFile given = model == null ? null : ModelFile.read(model, segmentation.cropSize, animals);
            if (stimulus != null && stimulus.oscTarget().isPresent()) {
                requireRoute(stimulus.oscTarget().get());
            }
            try (MetricsEndpoint metrics = noMetrics ? null : MetricsEndpoint.start(metricsPort)) {
                OutputDirectory.requireWritable("--out", out);
                LiveJob job = new LiveJob(frames, truth, new LiveJob.Settings(animals, out, bootstrap,
                        workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir")),
                        segmentation.settings(frames.width(), frames.height()),
                        segmentation.warmUp(warmupSeconds, animals), stimulus, queue, "cam0", given, training.method,
                        parquet),
                        metrics);
                PrintWriter err = spec.commandLine().getErr();
                if (metrics != null) {
                    err.println("live: metrics on http://localhost:" + metrics.port() + MetricsEndpoint.PATH);
                }
                // Ctrl-C and SIGTERM end the run the way the source's end would, and wait for its report:
                // the JVM exits as soon as the hook returns.
                CountDownLatch reported = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    job.requestStop();
                    try {
                        reported.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "shoal-live-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    err.println(job.run(err).describe());
                    err.flush();
                } finally {
                    reported.countDown();
                    removeHook(hook);
                }
            }
        }
        return 0;
    }

    private void checkOptions() {
        if (animals < 1) {
            throw new BadInputException("--animals " + animals + ": must be at least 1; give the number of animals in the arena");
        }
        segmentation.check();
        if (!(warmupSeconds > 0) || Double.isInfinite(warmupSeconds)) {
            throw new BadInputException("--warmup-seconds " + warmupSeconds
                    + ": a live source has no end to sample up to; give a positive number of seconds, e.g. 3");
        }
        if (queue < 1) {
            throw new BadInputException("--queue " + queue + ": give 1 or more frames");
        }
        if (model != null && segmentation.cropSize == 0) {
            throw new BadInputException("--model " + model + ": identities need identification crops, and --crop-size"
                    + " is 0; give the model's crop size (default 52)");
        }
    }

    /**
     * UDP never says whether anyone listens, but the kernel does say when no route leads to the
     * receiver (or it is a broadcast address we may not send to): that is a start-up error, not a
     * stream of failed sends.
     */
    private void requireRoute(InetSocketAddress target) {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
        } catch (IOException e) {
            throw new BadInputException(rules + ": osc: cannot send to " + target.getHostString() + ":" + target.getPort()
                    + " (" + e.getMessage() + "); give a host:port this machine can reach");
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already stopping: the hook has run.
        }
    }
}
