package dev.shoal.deploy;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.PipelineService;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.ConsumerGroupMetrics;
import dev.shoal.identifier.IdentificationService;
import dev.shoal.identifier.ProvisionalTrackingService;
import dev.shoal.identifier.stimulus.StimulusConfig;
import dev.shoal.identifier.stimulus.StimulusService;
import dev.shoal.segmenter.OnlineSettings;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.SegmenterService;
import dev.shoal.segmenter.WarmUp;
import dev.shoal.trainer.OfflineEngine;
import dev.shoal.trainer.TrainerService;
import dev.shoal.trainer.TrainingMethod;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The stages after ingest, assembled once for {@code track} and {@code live}: segmenter, then the
 * trainer and the identifier (or provisional tracking when crops are off), an optional stimulus
 * service, and the caller's trajectory writer. Each stage is its own Kafka client with a per-session
 * consumer group on its own thread; they meet only through the broker, as separate services would.
 */
final class Pipeline {

    /**
     * @param identifierWindowFrames how far back a new model re-scores ({@link Long#MAX_VALUE}: the whole
     *                               session, for files; a bounded window keeps a live run's memory flat)
     * @param stimulus               closed-loop rules, or null for none
     * @param registry               where the trainer and stimulus meters go
     * @param trainingMethod         how the trainer learns identities
     * @param progress               where training progress prints, or null
     */
    record Options(int animals, SegmentationSettings segmentation, WarmUp warmUp, long identifierWindowFrames,
                   StimulusConfig stimulus, MeterRegistry registry, Path trainerStore, TrainingMethod trainingMethod,
                   PrintWriter progress) {

        /** Identities are learnt only from identification crops; without them tracks stay fragment-based. */
        boolean learns() {
            return warmUp.cropSize() > 0;
        }
    }

    /**
     * What a run trades latency for, and whether it trains.
     *
     * @param online                how a live session goes on after its warm-up
     * @param segmenterTransactions when the segmenter commits; the stages after it read committed records
     *                              only, so a frame's blobs wait downstream until the commit that holds them
     * @param identifierMaxDelay    longest a frame waits for the identifier's micro-batch to fill
     * @param trains                whether the trainer runs; false: crops are scored only by a model
     *                              released up front (a model file)
     */
    record Tuning(OnlineSettings online, SegmenterService.Transactions segmenterTransactions,
                  Duration identifierMaxDelay, boolean trains) {

        /** Throughput first: the segmenter commits every 25 frames, the identifier fills batches for up to 2 ms. */
        static Tuning files() {
            return new Tuning(OnlineSettings.defaults(), SegmenterService.Transactions.defaults(),
                    IdentificationService.Options.DEFAULT_MAX_DELAY, true);
        }

        /**
         * Latency first. The segmenter runs without transactions ({@link SegmenterService.Transactions#none()}):
         * a live run is one process whose session cannot resume after a crash, so exactly-once and its
         * checkpoints buy nothing, while a commit per frame cost a checkpoint record, the transaction
         * markers and several broker round trips before the identifier could read the frame's blobs
         * (a commit every 25 frames, before that, held each frame back 200 ms on average at 60 fps).
         * The identifier scores whatever one poll brought instead of waiting for the next frame
         * (which is 17-33 ms away live).
         */
        static Tuning closedLoop(boolean trains) {
            return new Tuning(OnlineSettings.closedLoop(), SegmenterService.Transactions.none(), Duration.ZERO, trains);
        }
    }

    /** The topics a run reads from its start: their end offsets before publishing are where each stage begins. */
    static final List<String> TOPICS = List.of(Topics.FRAMES, Topics.BLOBS, Topics.GLOBAL_FRAGMENTS, Topics.MODELS,
            Topics.TRACKS, Topics.IDENTITY_CORRECTIONS, Topics.STIMULUS);

    /** The trajectory writers' consumer group is this plus the session (as TrajectoryWriterService names it). */
    static final String WRITER_GROUP_PREFIX = "shoal-trajectories-";

    private final SegmenterService segmenter;
    private final TrainerService trainer;
    private final IdentificationService identification;
    private final ProvisionalTrackingService provisional;
    private final StimulusService stimulus;
    private final List<PipelineService> services = new ArrayList<>();
    private final List<ConsumerGroupMetrics.Group> groups = new ArrayList<>();

    Pipeline(KafkaSettings settings, String session, Map<TopicPartition, Long> ends, Options options) {
        this(settings, session, ends, options, Tuning.files());
    }

    /** @param tuning latency against throughput (live: {@link Tuning#closedLoop}) */
    Pipeline(KafkaSettings settings, String session, Map<TopicPartition, Long> ends, Options options, Tuning tuning) {
        String segmenterGroup = SegmenterService.GROUP + "-" + session;
        segmenter = new SegmenterService(settings, segmenterGroup, ends, options.segmentation(), options.warmUp(),
                tuning.online(), tuning.segmenterTransactions());
        add(segmenter, new ConsumerGroupMetrics.Group("segmenter", segmenterGroup, Topics.FRAMES, true));
        String identifierGroup = IdentificationService.GROUP + "-" + session;
        if (options.learns()) {
            if (tuning.trains()) {
                OfflineEngine.configure();
                String trainerGroup = TrainerService.GROUP + "-" + session;
                trainer = new TrainerService(settings, trainerGroup, ends,
                        TrainerService.Settings.defaults(options.animals(), options.trainerStore())
                                .withMethod(options.trainingMethod()), options.registry(),
                        options.progress());
                add(trainer, new ConsumerGroupMetrics.Group("trainer", trainerGroup, Topics.GLOBAL_FRAGMENTS, false));
            } else {
                trainer = null;
            }
            IdentificationService.Options defaults = IdentificationService.Options.defaults(options.animals(),
                    options.warmUp().cropSize());
            identification = new IdentificationService(settings, identifierGroup, ends,
                    new IdentificationService.Options(defaults.animals(), defaults.cropSize(), defaults.batchCrops(),
                            tuning.identifierMaxDelay(), options.identifierWindowFrames(), defaults.scorer(),
                            defaults.assignment()));
            provisional = null;
            add(identification, new ConsumerGroupMetrics.Group("identifier", identifierGroup, Topics.BLOBS, true));
            groups.add(new ConsumerGroupMetrics.Group("identifier", identifierGroup, Topics.MODELS, false));
        } else {
            trainer = null;
            identification = null;
            provisional = new ProvisionalTrackingService(settings, identifierGroup, ends);
            add(provisional, new ConsumerGroupMetrics.Group("identifier", identifierGroup, Topics.BLOBS, true));
        }
        if (options.stimulus() != null) {
            String stimulusGroup = StimulusService.GROUP + "-" + session;
            stimulus = new StimulusService(settings, stimulusGroup, ends, options.stimulus(), options.registry());
            add(stimulus, new ConsumerGroupMetrics.Group("stimulus", stimulusGroup, Topics.TRACKS, true));
        } else {
            stimulus = null;
        }
    }

    private void add(PipelineService service, ConsumerGroupMetrics.Group group) {
        services.add(service);
        groups.add(group);
    }

    /** Adds the caller's trajectory writer, a consumer of the tracks topic in {@code group}. */
    void addWriter(PipelineService writer, String group) {
        add(writer, new ConsumerGroupMetrics.Group("writer", group, Topics.TRACKS, true));
    }

    /** Starts every stage on a thread of its own. */
    void start() {
        for (PipelineService service : services) {
            new Thread(service, "shoal-" + service.getClass().getSimpleName()).start();
        }
    }

    /** Throws when any stage has died, naming it. */
    void requireHealthy() {
        for (PipelineService service : services) {
            if (service.failure() != null) {
                throw new IllegalStateException(service.getClass().getSimpleName() + " failed: "
                        + service.failure().getMessage(), service.failure());
            }
        }
    }

    /** Asks every stage to stop and waits until all have closed their clients. */
    void stop() throws InterruptedException {
        for (PipelineService service : services) {
            service.stop();
        }
        for (PipelineService service : services) {
            service.awaitStopped();
        }
    }

    /** Each stage's consumer group and input topics, for lag metrics. */
    List<ConsumerGroupMetrics.Group> groups() {
        return List.copyOf(groups);
    }

    boolean learns() {
        return identification != null;
    }

    SegmenterService segmenter() {
        return segmenter;
    }

    /** Null when crops are off or the model was given up front. */
    TrainerService trainer() {
        return trainer;
    }

    /** Null when crops are off. */
    IdentificationService identification() {
        return identification;
    }

    /** Null for none. */
    StimulusService stimulus() {
        return stimulus;
    }

    /** Busy time of the identifying stage (model-based or provisional). */
    long identifierBusyNanos() {
        return identification != null ? identification.busyNanos() : provisional.busyNanos();
    }
}
