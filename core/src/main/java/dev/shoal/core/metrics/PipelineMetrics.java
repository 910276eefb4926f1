package dev.shoal.core.metrics;

import com.google.protobuf.Message;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
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
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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
 * The pipeline's metrics, observed from the outside: a consumer of its own reads the output topics
 * (blobs, tracks, models, stimulus; read_committed, starting where the run began) and derives every
 * figure from the records, and {@link ConsumerGroupMetrics} reads the stages' consumer lag, so no
 * service carries a metrics hook. The frames topic is not read (a megabyte a frame); ingest reports
 * through {@link #bindIngest}. Names on /metrics, labels {@code session} and {@code stage} only
 * (plus topic and partition on the lag):
 * <ul>
 *   <li>{@code shoal_frames_out_total}: frames a stage has published (ingest: acknowledged by the broker);
 *       {@code shoal_frames_in_total}: frames it has consumed; {@code shoal_frames_dropped_total}: frames a
 *       live source lost because publishing fell behind;</li>
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

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);
    private static final Duration LAG_PERIOD = Duration.ofSeconds(2);
    private static final List<String> OBSERVED = List.of(Topics.BLOBS, Topics.TRACKS, Topics.MODELS, Topics.STIMULUS);

    private final String session;
    private final int animals;
    private final Map<TopicPartition, Long> startOffsets;
    private final Consumer<String, Message> consumer;
    private final ConsumerGroupMetrics groups;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final WindowedRatio crossing = new WindowedRatio(WINDOW_FRAMES);
    private final WindowedRatio identified = new WindowedRatio(WINDOW_FRAMES);
    private final WindowedRatio certainty = new WindowedRatio(WINDOW_FRAMES);
    private volatile boolean running = true;
    private volatile long modelVersion;
    private volatile long modelCreatedWallNs;
    private volatile double validationAccuracy = Double.NaN;
    private final List<LongSupplier> ingestSuppliers = new ArrayList<>();
    private Thread thread;
    private MeterRegistry registry;
    private Counter segmenterOut;
    private Counter identifierOut;
    private Counter stimulusCommands;
    private Counter trainingRuns;
    private DistributionSummary trainingSeconds;
    private DistributionSummary blobsPerFrame;
    private Timer segmenterLatency;
    private Timer identifierLatency;
    private Timer stimulusLatency;
    private Timer segmenterProcessing;

    /**
     * @param animals      animals in the session: the denominator of the identified ratio
     * @param startOffsets where the run began on each partition (absent: the beginning)
     * @param stageGroups  the stages' consumer groups, for lag and frames in
     */
    public PipelineMetrics(KafkaSettings settings, String session, int animals, Map<TopicPartition, Long> startOffsets,
                           List<ConsumerGroupMetrics.Group> stageGroups) {
        this.session = session;
        this.animals = animals;
        this.startOffsets = Map.copyOf(startOffsets);
        var props = settings.consumer("shoal-metrics-" + session, "metrics");
        // Only what the stages have committed to the topics counts, as a downstream service would see it.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), byTopic());
        this.groups = new ConsumerGroupMetrics(settings, session, stageGroups, startOffsets);
    }

    /** Meters only, no Kafka: for observing records handed in directly. */
    PipelineMetrics(String session, int animals) {
        this.session = session;
        this.animals = animals;
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

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Tags base = Tags.of("session", session);
        segmenterOut = framesOut(registry, "segmenter");
        identifierOut = framesOut(registry, "identifier");
        segmenterLatency = captureLatency(registry, "segmenter");
        identifierLatency = captureLatency(registry, "identifier");
        stimulusLatency = captureLatency(registry, "stimulus");
        segmenterProcessing = Timer.builder("shoal.stage.processing")
                .description("Time a stage spent on one frame")
                .tags(base).tag("stage", "segmenter")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry);
        blobsPerFrame = DistributionSummary.builder("shoal.blobs.per.frame")
                .description("Blobs the segmenter found in a frame")
                .tags(base).tag("stage", "segmenter")
                .register(registry);
        Gauge.builder("shoal.blobs.crossing.ratio", crossing, WindowedRatio::value)
                .description("Share of blobs that are crossings (several animals), last " + WINDOW_FRAMES + " frames")
                .tags(base).tag("stage", "segmenter").strongReference(true).register(registry);
        Gauge.builder("shoal.tracks.identified.ratio", identified, WindowedRatio::value)
                .description("Animals given an identity by a model over the number of animals, last "
                        + WINDOW_FRAMES + " frames")
                .tags(base).tag("stage", "identifier").strongReference(true).register(registry);
        Gauge.builder("shoal.identity.certainty.ratio", certainty, WindowedRatio::value)
                .description("Mean confidence of the identities a model gave, last " + WINDOW_FRAMES + " frames")
                .tags(base).tag("stage", "identifier").strongReference(true).register(registry);
        Gauge.builder("shoal.model.version", this, m -> m.modelVersion)
                .description("Version of the newest model released (0: none yet, identities provisional)")
                .tags(base).tag("stage", "trainer").strongReference(true).register(registry);
        Gauge.builder("shoal.model.age", this, PipelineMetrics::modelAgeSeconds)
                .description("Time since the newest model was created (NaN before the first)")
                .baseUnit("seconds")
                .tags(base).tag("stage", "trainer").strongReference(true).register(registry);
        Gauge.builder("shoal.model.validation.accuracy.ratio", this, m -> m.validationAccuracy)
                .description("Validation accuracy of the newest model")
                .tags(base).tag("stage", "trainer").strongReference(true).register(registry);
        trainingRuns = Counter.builder("shoal.training.runs")
                .description("Models trained and released")
                .tags(base).tag("stage", "trainer").register(registry);
        trainingSeconds = DistributionSummary.builder("shoal.training.duration")
                .description("Training time of each released model")
                .baseUnit("seconds")
                .tags(base).tag("stage", "trainer").register(registry);
        stimulusCommands = Counter.builder("shoal.stimulus.commands")
                .description("Stimulus commands published")
                .tags(base).tag("stage", "stimulus").register(registry);
        if (groups != null) {
            groups.bindTo(registry);
        }
    }

    private Counter framesOut(MeterRegistry registry, String stage) {
        return Counter.builder("shoal.frames.out")
                .description("Frames the stage has published")
                .tags("session", session, "stage", stage)
                .register(registry);
    }

    private Timer captureLatency(MeterRegistry registry, String stage) {
        return Timer.builder("shoal.capture.latency")
                .description("Capture of a frame to the stage's output for it")
                .tags("session", session, "stage", stage)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /**
     * Ingest's counts, read from the publisher: frames read from the source (in), acknowledged by the
     * broker (out) and dropped by a live source.
     */
    public synchronized void bindIngest(LongSupplier read, LongSupplier published, LongSupplier dropped) {
        // Micrometer holds a function meter's object weakly, and nothing else keeps these suppliers.
        ingestSuppliers.addAll(List.of(read, published, dropped));
        FunctionCounter.builder("shoal.frames.in", read, LongSupplier::getAsLong)
                .description("Frames the stage has consumed and committed")
                .tags("session", session, "stage", "ingest").register(registry);
        FunctionCounter.builder("shoal.frames.out", published, LongSupplier::getAsLong)
                .description("Frames the stage has published")
                .tags("session", session, "stage", "ingest").register(registry);
        FunctionCounter.builder("shoal.frames.dropped", dropped, LongSupplier::getAsLong)
                .description("Frames a live source lost because publishing fell behind")
                .tags("session", session, "stage", "ingest").register(registry);
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
            for (String topic : OBSERVED) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, startOffsets.getOrDefault(partition, 0L));
            }
            long nextLagPoll = System.nanoTime();
            while (running) {
                for (ConsumerRecord<String, Message> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        observe(record.value(), record.timestamp());
                    }
                }
                if (System.nanoTime() - nextLagPoll >= 0) {
                    groups.poll();
                    nextLagPoll = System.nanoTime() + LAG_PERIOD.toNanos();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.warn("pipeline metrics stopped: {}", e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("pipeline metrics stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /**
     * Updates the meters from one record of an observed topic.
     *
     * @param timestampMs the record's Kafka timestamp (producer create time, epoch milliseconds)
     */
    void observe(Message value, long timestampMs) {
        if (value instanceof FrameBlobs blobs && session.equals(blobs.getSession())) {
            onBlobs(blobs, timestampMs);
        } else if (value instanceof FrameTracks tracks && session.equals(tracks.getSession())) {
            onTracks(tracks, timestampMs);
        } else if (value instanceof ModelRelease release && session.equals(release.getSession())) {
            onRelease(release);
        } else if (value instanceof StimulusCommand command && session.equals(command.getSession())) {
            onStimulus(command);
        }
    }

    private void onBlobs(FrameBlobs blobs, long timestampMs) {
        segmenterOut.increment();
        recordLatency(segmenterLatency, timestampMs, blobs.getWallTimeNs());
        segmenterProcessing.record(blobs.getSegmentNs(), TimeUnit.NANOSECONDS);
        blobsPerFrame.record(blobs.getBlobsCount());
        int crossings = 0;
        for (Blob blob : blobs.getBlobsList()) {
            if (blob.getKind() == BlobKind.CROSSING) {
                crossings++;
            }
        }
        crossing.add(crossings, blobs.getBlobsCount());
    }

    private void onTracks(FrameTracks tracks, long timestampMs) {
        identifierOut.increment();
        recordLatency(identifierLatency, timestampMs, tracks.getWallTimeNs());
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

    private void onRelease(ModelRelease release) {
        if (release.getOnnx().isEmpty() || release.getVersion() <= modelVersion) {
            return;
        }
        modelVersion = release.getVersion();
        modelCreatedWallNs = release.getCreatedWallTimeNs();
        validationAccuracy = release.getMetrics().getValidationAccuracy();
        trainingRuns.increment();
        trainingSeconds.record(release.getMetrics().getTrainingSeconds());
    }

    private void onStimulus(StimulusCommand command) {
        stimulusCommands.increment();
        stimulusLatency.record(command.getLatencyNs(), TimeUnit.NANOSECONDS);
    }

    private static void recordLatency(Timer timer, long timestampMs, long captureWallNs) {
        if (captureWallNs > 0 && timestampMs > 0) {
            timer.record(Math.max(0, timestampMs * 1_000_000L - captureWallNs), TimeUnit.NANOSECONDS);
        }
    }

    private double modelAgeSeconds() {
        long created = modelCreatedWallNs;
        return created == 0 ? Double.NaN : Math.max(0, System.currentTimeMillis() * 1_000_000L - created) / 1e9;
    }

    /** Stops reading and closes the clients; the meters stay registered with their last values. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            consumer.wakeup();
            stopped.await();
        } else if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
        if (groups != null) {
            groups.close();
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
