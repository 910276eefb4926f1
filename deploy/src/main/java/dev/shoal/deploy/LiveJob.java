package dev.shoal.deploy;

import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.IngestMetrics;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.core.metrics.PipelineMetrics;
import dev.shoal.core.progress.ProgressLine;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.identifier.ModelFile;
import dev.shoal.identifier.stimulus.StimulusConfig;
import dev.shoal.identifier.stimulus.StimulusDispatcher;
import dev.shoal.identifier.stimulus.StimulusService;
import dev.shoal.trainer.TrainingMethod;
import dev.shoal.ingest.FramePublisher;
import dev.shoal.ingest.FrameSource;
import dev.shoal.ingest.arena.ArenaTruthPublisher;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.WarmUp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A live source through the same pipeline as {@code track} ({@link Pipeline}), plus the closed loop,
 * until the source ends or {@link #requestStop()} (Ctrl-C). Stopping is clean: ingest stops first,
 * ingest sends the session's end marker, the stages are given time to take the session to its end,
 * then each stops and trajectories.csv is renamed into place.
 */
final class LiveJob {

    /** Live identities are re-scored by a new model this far back; a bounded window keeps memory flat. */
    static final double IDENTIFIER_WINDOW_SECONDS = 60;
    /** After the warm-up, frames this much later count as steady (the stages have settled after the warm-up). */
    static final double CATCH_UP_SECONDS = 5;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The settings of one live run.
     *
     * @param model          the model to identify with from the start (the trainer does not run), or null to train one
     * @param trainingMethod how the trainer learns identities when there is no model
     * @param parquet        also write trajectories.parquet beside trajectories.csv
     */
    record Settings(int animals, Path outDir, String bootstrap, Path workDir, SegmentationSettings segmentation,
                    WarmUp warmUp, StimulusConfig stimulus, int queueFrames, String camera, ModelFile model,
                    TrainingMethod trainingMethod, boolean parquet) {
    }

    private final FrameSource source;
    private final DeferredTruthListener truth;
    private final Settings settings;
    private final MetricsEndpoint metrics;
    private final MeterRegistry registry;
    private final AtomicReference<FramePublisher> publisher = new AtomicReference<>();
    private volatile boolean stopRequested;

    /**
     * @param truth   where an arena source's ground truth goes (published on shoal.truth.v1), or null
     * @param metrics where /metrics is served, or null for none
     */
    LiveJob(FrameSource source, DeferredTruthListener truth, Settings settings, MetricsEndpoint metrics) {
        this.source = source;
        this.truth = truth;
        this.settings = settings;
        this.metrics = metrics;
        this.registry = metrics != null ? metrics.registry() : new SimpleMeterRegistry();
    }

    /** Ends the run as cleanly as the source's end would; returns at once. */
    void requestStop() {
        stopRequested = true;
        FramePublisher current = publisher.get();
        if (current != null) {
            current.stop();
        }
    }

    LiveReport run(PrintWriter progress) throws Exception {
        long start = System.nanoTime();
        if (settings.bootstrap() != null) {
            KafkaSettings kafka = KafkaSettings.of(settings.bootstrap()).forClosedLoop();
            TopicAdmin.requireReachable(kafka, Duration.ofSeconds(10));
            return runOn(kafka, start, progress);
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(settings.workDir().resolve("shoal"))) {
            return runOn(KafkaSettings.of(broker.bootstrap()).forClosedLoop(), start, progress);
        }
    }

    private LiveReport runOn(KafkaSettings kafka, long start, PrintWriter progress) throws Exception {
        TopicAdmin.createTopics(kafka, Topics.all(1, kafka.maxRecordBytes()));
        String session = "live-" + UUID.randomUUID().toString().substring(0, 8);
        Map<TopicPartition, Long> ends = TopicAdmin.endOffsets(kafka, Pipeline.TOPICS);
        double fps = source.fps() > 0 ? source.fps() : 30;
        Pipeline pipeline = new Pipeline(kafka, session, ends, new Pipeline.Options(settings.animals(),
                settings.segmentation(), settings.warmUp(), Math.round(IDENTIFIER_WINDOW_SECONDS * fps),
                settings.stimulus(), registry, settings.workDir().resolve("shoal-trainer"), settings.trainingMethod(),
                progress),
                Pipeline.Tuning.closedLoop(settings.model() == null));
        if (settings.model() != null) {
            publishModel(kafka, settings.model().release(session));
        }
        Path csv = settings.outDir().resolve("trajectories.csv");
        long steadyFrom = Math.round((settings.warmUp().seconds() + CATCH_UP_SECONDS) * fps);
        LiveTrajectoryWriter writer = new LiveTrajectoryWriter(kafka, session, ends, csv, settings.animals(), steadyFrom,
                settings.parquet());
        pipeline.addWriter(writer, Pipeline.WRITER_GROUP_PREFIX + session);
        PipelineMetrics observed = metrics == null ? null
                : new PipelineMetrics(kafka, session, settings.animals(), ends, pipeline.groups());
        ArenaTruthPublisher truthPublisher = truth == null ? null : new ArenaTruthPublisher(kafka, session);
        if (truth != null) {
            truth.attach(truthPublisher);
        }
        if (observed != null) {
            observed.bindTo(registry);
            observed.start();
        }
        pipeline.start();
        FramePublisher ingest;
        String ending;
        boolean drained;
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(kafka.producer("ingest"),
                new StringSerializer(), Serdes.FRAME.serializer())) {
            // Its own meters carry a camera label; /metrics gets ingest through IngestMetrics instead.
            ingest = new FramePublisher(producer, session, settings.camera(), new SimpleMeterRegistry(),
                    settings.queueFrames());
            FramePublisher published = ingest;
            publisher.set(ingest);
            if (metrics != null) {
                metrics.bind(new IngestMetrics(session, published::framesRead, published::published,
                        published::dropped));
            }
            if (stopRequested) {
                ingest.stop();
            }
            AtomicReference<Exception> ingestFailure = new AtomicReference<>();
            Thread reading = new Thread(() -> {
                try {
                    published.publishAll(source);
                } catch (Exception e) {
                    ingestFailure.set(e);
                }
            }, "shoal-live-ingest");
            try (ProgressLine line = new ProgressLine("live", "frames", writer::frames, 0,
                    () -> progressDetail(published, writer, pipeline), progress, Duration.ofSeconds(1))) {
                reading.start();
                try {
                    while (reading.isAlive()) {
                        reading.join(200);
                        pipeline.requireHealthy();
                    }
                } finally {
                    ingest.stop();
                    reading.join();
                }
                if (ingestFailure.get() != null) {
                    throw ingestFailure.get();
                }
                ending = stopRequested ? "stopped" : "source ended";
                drained = drain(ingest, writer, pipeline);
            }
        } finally {
            try {
                pipeline.stop();
            } finally {
                if (observed != null) {
                    observed.close();
                }
                if (truthPublisher != null) {
                    truthPublisher.close();
                }
            }
        }
        StimulusService stimulus = pipeline.stimulus();
        long skipped = pipeline.segmenter().framesSkipped();
        long inFlight = drained ? 0 : Math.max(0, ingest.published() - skipped - writer.frames());
        return new LiveReport(session, ending, (System.nanoTime() - start) / 1e9, ingest.framesRead(),
                ingest.published(), ingest.dropped(), skipped, writer.frames(), inFlight,
                stimulus == null ? -1 : stimulusCommands(), writer.modelVersion(), writer.identifiedRatio(),
                writer.latencyMillis(0.5, false), writer.latencyMillis(0.99, false),
                writer.steadyFrames(), writer.latencyMillis(0.5, true), writer.latencyMillis(0.99, true),
                writer.committed() ? csv : null);
    }

    /** The given model, as the session's final release, before any frame: every frame is scored with it. */
    private static void publishModel(KafkaSettings kafka, ModelRelease release) throws Exception {
        try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(kafka.producer("model-file"),
                new StringSerializer(), Serdes.MODEL_RELEASE.serializer())) {
            producer.send(new ProducerRecord<>(Topics.MODELS, release.getSession(), release)).get();
        }
    }

    private long stimulusCommands() {
        return Math.round(registry.find(StimulusDispatcher.FIRINGS_COUNTER).counters().stream()
                .mapToDouble(Counter::count).sum());
    }

    /**
     * Waits until the writer (and the stimulus service) have the session's end (the last frame, or the
     * end marker ingest sends after a stop), or the drain timeout passes; true when they have. The
     * frame count cannot say it: a live segmenter never segments its warm-up frames.
     */
    private static boolean drain(FramePublisher ingest, LiveTrajectoryWriter writer, Pipeline pipeline)
            throws InterruptedException {
        if (ingest.published() == 0) {
            return true;
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        StimulusService stimulus = pipeline.stimulus();
        while (System.nanoTime() < deadline) {
            pipeline.requireHealthy();
            if (writer.ended() && (stimulus == null || stimulus.handled() >= writer.records())) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static String progressDetail(FramePublisher ingest, LiveTrajectoryWriter writer, Pipeline pipeline) {
        return String.format(Locale.ROOT, "published %d, dropped %d, segmented %d, model v%d, identified %.1f%%",
                ingest.published(), ingest.dropped(), pipeline.segmenter().framesSegmented(),
                writer.modelVersion(), 100 * writer.identifiedRatio());
    }
}
