package dev.shoal.core.metrics;

import com.google.protobuf.Message;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.StimulusCommand;
import dev.shoal.core.proto.Track;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's metrics, observed from the outside: a consumer of its own reads output topics
 * (read_committed, starting where the run began) and derives every figure from the records, and
 * {@link ConsumerGroupMetrics} reads the stages' consumer lag, so no service carries a metrics hook.
 * Two drivers share it: the all-in-one {@code track} and {@code live} observe one session on every
 * output topic; a {@code shoal serve} process observes every session on its own stage's output
 * topic from the moment it starts ({@link #ofService}), each session's meters appearing with its
 * first record. The frames topic is not read (a megabyte a frame); ingest reports through
 * {@link IngestMetrics}. Names on /metrics, labels {@code session} and {@code stage} only (plus topic
 * and partition on the lag):
 * <ul>
 *   <li>{@code shoal_frames_out_total}: frames a stage has published; {@code shoal_frames_in_total}
 *       (from the consumer groups): frames it has consumed;</li>
 *   <li>{@code shoal_capture_latency_seconds} (histogram): capture of a frame to the stage's output record,
 *       from the record's Kafka timestamp minus the frame's wall-clock capture time (millisecond clocks), and
 *       for stimulus the command's own capture-to-decision latency (nanosecond monotonic clock);</li>
 *   <li>{@code shoal_stage_processing_seconds} (histogram): the segmenter's time per frame;</li>
 *   <li>{@code shoal_blobs_per_frame} (summary); over the last {@value #WINDOW_FRAMES} frames:
 *       {@code shoal_blobs_crossing_ratio}, {@code shoal_tracks_identified_ratio} (animals with a model-given
 *       identity over the number of animals), {@code shoal_identity_certainty_ratio} (mean confidence of those);</li>
 *   <li>{@code shoal_model_version}, {@code shoal_model_age_seconds}, {@code shoal_model_validation_accuracy_ratio},
 *       {@code shoal_training_runs_total}, {@code shoal_training_duration_seconds} (summary);</li>
 *   <li>{@code shoal_stimulus_commands_total}; {@code shoal_consumer_lag_records}.</li>
 * </ul>
 */
public final class PipelineMetrics implements MeterBinder, AutoCloseable {

    /** Frames the windowed ratios are taken over (two seconds at 60 fps). */
    public static final int WINDOW_FRAMES = 120;
    /**
     * The session label of a service process's lag and frames in: its consumer group shares partitions
     * between sessions, so those figures cover them all.
     */
    public static final String EVERY_SESSION = "all";

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);
    private static final Duration LAG_PERIOD = Duration.ofSeconds(2);
    private static final List<String> OBSERVED = List.of(Topics.BLOBS, Topics.TRACKS, Topics.MODELS, Topics.STIMULUS);

    /** The one session observed, or null for every session. */
    private final String session;
    private final int animals;
    private final List<String> observed;
    private final Map<TopicPartition, Long> startOffsets;
    private final Consumer<String, Message> consumer;
    private final ConsumerGroupMetrics groups;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, SegmenterMeters> segmenters = new ConcurrentHashMap<>();
    private final Map<String, IdentifierMeters> identifiers = new ConcurrentHashMap<>();
    private final Map<String, TrainerMeters> trainers = new ConcurrentHashMap<>();
    private final Map<String, StimulusMeters> stimuli = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile MeterRegistry registry;
    private Thread thread;

    /**
     * One session of an all-in-one run, on every output topic.
     *
     * @param animals      animals in the session: the denominator of the identified ratio
     * @param startOffsets where the run began on each partition (absent: the beginning)
     * @param stageGroups  the stages' consumer groups, for lag and frames in
     */
    public PipelineMetrics(KafkaSettings settings, String session, int animals, Map<TopicPartition, Long> startOffsets,
                           List<ConsumerGroupMetrics.Group> stageGroups) {
        this(settings, session, animals, OBSERVED, startOffsets, stageGroups);
    }

    private PipelineMetrics(KafkaSettings settings, String session, int animals, List<String> observed,
                            Map<TopicPartition, Long> startOffsets, List<ConsumerGroupMetrics.Group> stageGroups) {
        this.session = session;
        this.animals = animals;
        this.observed = List.copyOf(observed);
        this.startOffsets = Map.copyOf(startOffsets);
        if (observed.isEmpty()) {
            this.consumer = null;
        } else {
            var props = settings.consumer("shoal-metrics-" + (session != null ? session : "service"), "metrics");
            // Only what the stages have committed to the topics counts, as a downstream service would see it.
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), byTopic());
        }
        this.groups = new ConsumerGroupMetrics(settings, session != null ? session : EVERY_SESSION, stageGroups,
                startOffsets);
    }

    /**
     * A {@code shoal serve} process's metrics: every session on the stage's output topics and the
     * stage's consumer groups, counted from now.
     *
     * @param animals the sessions' animals (the config's), the denominator of the identified ratio
     * @param outputs the topics the stage publishes (none for a writer)
     */
    public static PipelineMetrics ofService(KafkaSettings settings, int animals, List<String> outputs,
                                            List<ConsumerGroupMetrics.Group> stageGroups) {
        Set<String> topics = new HashSet<>(outputs);
        stageGroups.forEach(group -> topics.add(group.topic()));
        return new PipelineMetrics(settings, null, animals, outputs, TopicAdmin.endOffsets(settings, topics),
                stageGroups);
    }

    /** Meters only, no Kafka: for observing records handed in directly ({@code session} null: every session). */
    PipelineMetrics(String session, int animals) {
        this.session = session;
        this.animals = animals;
        this.observed = List.of();
        this.startOffsets = Map.of();
        this.consumer = null;
        this.groups = null;
    }

    private static Deserializer<Message> byTopic() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            return switch (topic) {
                case Topics.BLOBS -> Serdes.FRAME_BLOBS.deserializer().deserialize(topic, data);
                case Topics.TRACKS -> Serdes.FRAME_TRACKS.deserializer().deserialize(topic, data);
                case Topics.MODELS -> Serdes.MODEL_RELEASE.deserializer().deserialize(topic, data);
                default -> Serdes.STIMULUS_COMMAND.deserializer().deserialize(topic, data);
            };
        };
    }

    /** One session's meters exist from the start (a model version of 0 says "none yet"); every session's from its first record. */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        if (session != null) {
            segmenter(session);
            identifier(session);
            trainer(session);
            stimulus(session);
        }
        if (groups != null) {
            groups.bindTo(registry);
        }
    }

    private SegmenterMeters segmenter(String id) {
        return segmenters.computeIfAbsent(id, s -> new SegmenterMeters(registry, s));
    }

    private IdentifierMeters identifier(String id) {
        return identifiers.computeIfAbsent(id, s -> new IdentifierMeters(registry, s, animals));
    }

    private TrainerMeters trainer(String id) {
        return trainers.computeIfAbsent(id, s -> new TrainerMeters(registry, s));
    }

    private StimulusMeters stimulus(String id) {
        return stimuli.computeIfAbsent(id, s -> new StimulusMeters(registry, s));
    }

    /** Starts reading the topics, and polling lag every {@code LAG_PERIOD}, on a daemon thread. */
    public synchronized void start() {
        thread = new Thread(this::run, "shoal-metrics");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            if (consumer != null) {
                for (String topic : observed) {
                    consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(partitions);
                for (TopicPartition partition : partitions) {
                    consumer.seek(partition, startOffsets.getOrDefault(partition, 0L));
                }
            }
            long nextLagPoll = System.nanoTime();
            while (running) {
                if (consumer != null) {
                    for (ConsumerRecord<String, Message> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.value() != null) {
                            observe(record.value(), record.timestamp());
                        }
                    }
                } else {
                    Thread.sleep(200);
                }
                if (System.nanoTime() - nextLagPoll >= 0) {
                    groups.poll();
                    nextLagPoll = System.nanoTime() + LAG_PERIOD.toNanos();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (running) {
                LOG.warn("pipeline metrics stopped: {}", e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("pipeline metrics stopped: {}", e.toString(), e);
        } finally {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(5));
            }
            stopped.countDown();
        }
    }

    /**
     * Updates the meters from one record of an observed topic.
     *
     * @param timestampMs the record's Kafka timestamp (producer create time, epoch milliseconds)
     */
    void observe(Message value, long timestampMs) {
        if (value instanceof FrameBlobs blobs && observes(blobs.getSession())) {
            segmenter(blobs.getSession()).on(blobs, timestampMs);
        } else if (value instanceof FrameTracks tracks && observes(tracks.getSession())) {
            identifier(tracks.getSession()).on(tracks, timestampMs);
        } else if (value instanceof ModelRelease release && observes(release.getSession())) {
            trainer(release.getSession()).on(release);
        } else if (value instanceof StimulusCommand command && observes(command.getSession())) {
            stimulus(command.getSession()).on(command);
        }
    }

    private boolean observes(String recordSession) {
        return session == null ? !recordSession.isEmpty() : session.equals(recordSession);
    }

    private static void recordLatency(Timer timer, long timestampMs, long captureWallNs) {
        if (captureWallNs > 0 && timestampMs > 0) {
            timer.record(Math.max(0, timestampMs * 1_000_000L - captureWallNs), TimeUnit.NANOSECONDS);
        }
    }

    private static Counter framesOut(MeterRegistry registry, String session, String stage) {
        return Counter.builder("shoal.frames.out")
                .description("Frames the stage has published")
                .tags("session", session, "stage", stage)
                .register(registry);
    }

    /** A gauge of a ratio over the last {@value #WINDOW_FRAMES} frames. */
    private static void windowedRatio(MeterRegistry registry, String name, WindowedRatio ratio, String description,
                                      String session, String stage) {
        Gauge.builder(name, ratio, WindowedRatio::value)
                .description(description + ", last " + WINDOW_FRAMES + " frames")
                .tags("session", session, "stage", stage).strongReference(true).register(registry);
    }

    private static Timer captureLatency(MeterRegistry registry, String session, String stage) {
        return Timer.builder("shoal.capture.latency")
                .description("Capture of a frame to the stage's output for it")
                .tags("session", session, "stage", stage)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** Stops reading and closes the clients; the meters stay registered with their last values. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            if (consumer != null) {
                consumer.wakeup();
            } else {
                thread.interrupt();
            }
            stopped.await();
        } else if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
        if (groups != null) {
            groups.close();
        }
    }

    /** A session's segmenter figures, from its blobs records. */
    private static final class SegmenterMeters {
        private final Counter out;
        private final Timer latency;
        private final Timer processing;
        private final DistributionSummary blobsPerFrame;
        private final WindowedRatio crossing = new WindowedRatio(WINDOW_FRAMES);

        SegmenterMeters(MeterRegistry registry, String session) {
            out = framesOut(registry, session, "segmenter");
            latency = captureLatency(registry, session, "segmenter");
            processing = Timer.builder("shoal.stage.processing")
                    .description("Time a stage spent on one frame")
                    .tags("session", session, "stage", "segmenter")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(1))
                    .register(registry);
            blobsPerFrame = DistributionSummary.builder("shoal.blobs.per.frame")
                    .description("Blobs the segmenter found in a frame")
                    .tags("session", session, "stage", "segmenter")
                    .register(registry);
            windowedRatio(registry, "shoal.blobs.crossing.ratio", crossing,
                    "Share of blobs that are crossings (several animals)", session, "segmenter");
        }

        void on(FrameBlobs blobs, long timestampMs) {
            out.increment();
            recordLatency(latency, timestampMs, blobs.getWallTimeNs());
            processing.record(blobs.getSegmentNs(), TimeUnit.NANOSECONDS);
            blobsPerFrame.record(blobs.getBlobsCount());
            int crossings = 0;
            for (Blob blob : blobs.getBlobsList()) {
                if (blob.getKind() == BlobKind.CROSSING) {
                    crossings++;
                }
            }
            crossing.add(crossings, blobs.getBlobsCount());
        }
    }

    /** A session's identifier figures, from its tracks records. */
    private static final class IdentifierMeters {
        private final int animals;
        private final Counter out;
        private final Timer latency;
        private final WindowedRatio identified = new WindowedRatio(WINDOW_FRAMES);
        private final WindowedRatio certainty = new WindowedRatio(WINDOW_FRAMES);

        IdentifierMeters(MeterRegistry registry, String session, int animals) {
            this.animals = animals;
            out = framesOut(registry, session, "identifier");
            latency = captureLatency(registry, session, "identifier");
            windowedRatio(registry, "shoal.tracks.identified.ratio", identified,
                    "Animals given an identity by a model over the number of animals", session, "identifier");
            windowedRatio(registry, "shoal.identity.certainty.ratio", certainty,
                    "Mean confidence of the identities a model gave", session, "identifier");
        }

        void on(FrameTracks tracks, long timestampMs) {
            out.increment();
            recordLatency(latency, timestampMs, tracks.getWallTimeNs());
            int given = 0;
            double confidence = 0;
            if (tracks.getModelVersion() > 0) {
                for (Track track : tracks.getTracksList()) {
                    if (track.getIdentity() > 0) {
                        given++;
                        confidence += track.getConfidence();
                    }
                }
            }
            identified.add(Math.min(given, animals), animals);
            certainty.add(confidence, given);
        }
    }

    /** A session's trainer figures, from its model releases. */
    private static final class TrainerMeters {
        private final Counter runs;
        private final DistributionSummary seconds;
        private volatile long version;
        private volatile long createdWallNs;
        private volatile double validationAccuracy = Double.NaN;

        TrainerMeters(MeterRegistry registry, String session) {
            Gauge.builder("shoal.model.version", this, m -> m.version)
                    .description("Version of the newest model released (0: none yet, identities provisional)")
                    .tags("session", session, "stage", "trainer").strongReference(true).register(registry);
            Gauge.builder("shoal.model.age", this, TrainerMeters::ageSeconds)
                    .description("Time since the newest model was created (NaN before the first)")
                    .baseUnit("seconds")
                    .tags("session", session, "stage", "trainer").strongReference(true).register(registry);
            Gauge.builder("shoal.model.validation.accuracy.ratio", this, m -> m.validationAccuracy)
                    .description("Validation accuracy of the newest model")
                    .tags("session", session, "stage", "trainer").strongReference(true).register(registry);
            runs = Counter.builder("shoal.training.runs")
                    .description("Models trained and released")
                    .tags("session", session, "stage", "trainer").register(registry);
            seconds = DistributionSummary.builder("shoal.training.duration")
                    .description("Training time of each released model")
                    .baseUnit("seconds")
                    .tags("session", session, "stage", "trainer").register(registry);
        }

        void on(ModelRelease release) {
            if (release.getOnnx().isEmpty() || release.getVersion() <= version) {
                return;
            }
            version = release.getVersion();
            createdWallNs = release.getCreatedWallTimeNs();
            validationAccuracy = release.getMetrics().getValidationAccuracy();
            runs.increment();
            seconds.record(release.getMetrics().getTrainingSeconds());
        }

        private double ageSeconds() {
            long created = createdWallNs;
            return created == 0 ? Double.NaN : Math.max(0, System.currentTimeMillis() * 1_000_000L - created) / 1e9;
        }
    }

    /** A session's closed-loop figures, from its stimulus commands. */
    private static final class StimulusMeters {
        private final Counter commands;
        private final Timer latency;

        StimulusMeters(MeterRegistry registry, String session) {
            commands = Counter.builder("shoal.stimulus.commands")
                    .description("Stimulus commands published")
                    .tags("session", session, "stage", "stimulus").register(registry);
            latency = captureLatency(registry, session, "stimulus");
        }

        void on(StimulusCommand command) {
            commands.increment();
            latency.record(command.getLatencyNs(), TimeUnit.NANOSECONDS);
        }
    }

    /** A ratio of sums over the last frames: numerator and denominator of each frame in a ring. */
    static final class WindowedRatio {
        private final double[] numerators;
        private final double[] denominators;
        private int next;
        private double numerator;
        private double denominator;

        WindowedRatio(int frames) {
            numerators = new double[frames];
            denominators = new double[frames];
        }

        synchronized void add(double frameNumerator, double frameDenominator) {
            numerator += frameNumerator - numerators[next];
            denominator += frameDenominator - denominators[next];
            numerators[next] = frameNumerator;
            denominators[next] = frameDenominator;
            next = (next + 1) % numerators.length;
        }

        /** NaN while nothing has been counted. */
        synchronized double value() {
            return denominator > 0 ? numerator / denominator : Double.NaN;
        }
    }
}
