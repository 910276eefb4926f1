package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.RegionOfInterest;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.IngestMetrics;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.core.proto.Frame;
import dev.shoal.ingest.FrameProducerSettings;
import dev.shoal.ingest.FramePublisher;
import dev.shoal.ingest.FrameSource;
import dev.shoal.ingest.FrameSources;
import dev.shoal.ingest.arena.ArenaTruthPublisher;
import dev.shoal.ingest.SourceOptions;
import dev.shoal.ingest.StreamPosition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shoal ingest SOURCE...}: publishes any source on {@code shoal.frames.v1} and reports how
 * fast it read and published. A live source runs until it is lost or the command is stopped.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Publish the frames of a file, files, image sequence, camera or stream on shoal.frames.v1.")
public final class IngestCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "file:PATH or PATH; several paths or"
            + " files:GLOB (one recording); images:PATTERN; device:/dev/videoN; arena:animals=N,...; rtsp:// rtp:// udp:// http(s):// srt://")
    List<String> sources;

    @Option(names = "--session", paramLabel = "ID", description = "Session id the frames are keyed by (default: a new one).")
    String session;

    @Option(names = "--camera", defaultValue = "cam0", description = "Camera name on every frame (default: ${DEFAULT-VALUE}).")
    String camera;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka cluster to publish to; without it an embedded broker runs (and is gone on exit).")
    String bootstrap;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the embedded broker lives (default: system temp).")
    Path workDir;

    @Option(names = "--roi", paramLabel = "X,Y,W,H", description = "Keep only this region of each frame.")
    String roi;

    @Option(names = "--start", paramLabel = "FRAME|TIME", description = "First frame (index, 4.5s or 1:30).")
    String start;

    @Option(names = "--end", paramLabel = "FRAME|TIME", description = "Stop before this frame (index, 4.5s or 1:30).")
    String end;

    @Option(names = "--stride", defaultValue = "1", description = "Keep every N-th frame (default: ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--target-fps", defaultValue = "0", description = "Thin to at most this rate (default: the source's).")
    double targetFps;

    @Option(names = "--fps", defaultValue = "0",
            description = "Rate of an image sequence (default 25) or to ask of a camera.")
    double fps;

    @Option(names = "--size", paramLabel = "WxH", description = "Frame size to ask of a camera.")
    String size;

    @Option(names = "--pixel-format", paramLabel = "FMT", description = "Camera pixel format (e.g. mjpeg, yuyv422).")
    String pixelFormat;

    @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Give up on a camera or stream silent this long (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--reconnects", defaultValue = "10",
            description = "Reconnect attempts in a row before a live stream counts as lost (default: ${DEFAULT-VALUE}).")
    int reconnects;

    @Option(names = "--paced", description = "Play a file at its own frame rate, as a live source.")
    boolean paced;

    @Option(names = "--queue", defaultValue = "32", paramLabel = "FRAMES",
            description = "Frames a live source may have waiting before the oldest is dropped (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics while publishing (default: off; 0 for"
                    + " any free port).")
    Integer metricsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (timeoutSeconds <= 0) {
            throw new BadInputException("--timeout " + timeoutSeconds + ": give a positive number of seconds");
        }
        if (queue < 1) {
            throw new BadInputException("--queue " + queue + ": give 1 or more frames");
        }
        SourceOptions defaults = SourceOptions.defaults();
        SourceOptions options = defaults
                .withRoi(roi == null ? null : RegionOfInterest.parse("--roi", roi))
                .withRange(start == null ? null : StreamPosition.parse("--start", start),
                        end == null ? null : StreamPosition.parse("--end", end))
                .withStride(stride).withTargetFps(targetFps).withPaced(paced).withInputFps(fps)
                .withCamera(size, pixelFormat)
                .withTimeout(Duration.ofMillis(Math.round(timeoutSeconds * 1000)))
                .withReconnects(reconnects, defaults.firstBackoff(), defaults.maxBackoff());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PrintWriter err = spec.commandLine().getErr();
        try (MetricsEndpoint metrics = metricsPort == null ? null : MetricsEndpoint.start(metricsPort)) {
            if (bootstrap != null) {
                KafkaSettings settings = KafkaSettings.of(bootstrap);
                TopicAdmin.requireReachable(settings, Duration.ofSeconds(10));
                publish(options, settings, registry, metrics, err);
            } else {
                Path parent = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
                try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(parent.resolve("shoal"))) {
                    publish(options, KafkaSettings.of(broker.bootstrap()), registry, metrics, err);
                }
            }
        }
        return 0;
    }

    /** @param metrics where /metrics is served, or null for none */
    private void publish(SourceOptions options, KafkaSettings settings, SimpleMeterRegistry registry,
                         MetricsEndpoint metrics, PrintWriter err) throws Exception {
        TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
        String id = session != null ? session : "ingest-" + UUID.randomUUID().toString().substring(0, 8);
        boolean arena = sources.size() == 1 && sources.get(0).startsWith("arena:");
        // The arena's ground truth rides beside its frames on shoal.truth.v1, under the same session.
        try (ArenaTruthPublisher truth = arena ? new ArenaTruthPublisher(settings, id) : null;
             FrameSource source = arena ? FrameSources.openArena(sources.get(0), options, truth)
                     : FrameSources.open(sources, options, registry);
             KafkaProducer<String, Frame> producer = new KafkaProducer<>(
                     FrameProducerSettings.of(settings, "ingest", source.width(), source.height()),
                     new StringSerializer(), Serdes.FRAME.serializer())) {
            FramePublisher publisher = new FramePublisher(producer, id, camera, registry, queue);
            if (metrics != null) {
                metrics.bind(new IngestMetrics(id, publisher::framesRead, publisher::published, publisher::dropped));
            }
            Thread stopper = new Thread(publisher::stop, "shoal-ingest-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            long t0 = System.nanoTime();
            try {
                publisher.publishAll(source);
            } finally {
                removeHook(stopper);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            err.println(String.format(Locale.ROOT,
                    "ingest: session %s, %dx%d: %d frames read, %d published, %d dropped in %.2f s"
                            + " (%.0f fps read and published; reading alone %.2f s)",
                    id, source.width(), source.height(), publisher.framesRead(), publisher.published(),
                    publisher.dropped(), seconds, publisher.published() / seconds, publisher.decodeNanos() / 1e9));
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
