package dev.shoal.trainer;

import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.TrainingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer as a service: consumes {@code shoal.global-fragments.v1}, stores each session's global
 * fragments in a {@link GlobalFragmentStore} under {@code storeRoot/session}, and publishes
 * {@link ModelRelease}s on {@code shoal.models.v1}.
 *
 * <p>Training runs on one thread of its own, so the consumer keeps polling and storing while it
 * trains. A session's first model is published as soon as a usable global fragment arrives; then
 * {@link IdentityAccumulator} steps run whenever new global fragments arrived, and a new release is
 * published when the accepted images grew by {@code republishGrowth} (or, for the methods that learn from pairs,
 * after retraining on new global fragments when nothing more could be accepted). On the session's
 * end marker the accumulation runs to its end and a final release with {@code last=true} is published,
 * with an empty model and a note when it could never train.
 *
 * <p>Restartable: before each release the session's {@link SessionCheckpoint} (version, identities
 * accepted, model weights) is written beside its store. A trainer started again on the same store root
 * reopens the store from its journal and carries on from the checkpoint: versions keep increasing,
 * accepted fragments keep their identities, training starts from the last published weights, and
 * redelivered global fragments are not stored twice. Sessions whose end marker had arrived are finished
 * at start-up, since their marker will not be delivered again.
 */
public final class TrainerService extends ConsumingService<GlobalFragment> {

    public static final String GROUP = "shoal-trainer";
    /** Marks, in a session's store directory, that its end marker arrived. */
    static final String END_FILE = "end-received";
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    /**
     * @param animals         the number of animals (network classes)
     * @param storeRoot       one store directory per session is made under it
     * @param maxStoreBytes   bound on each session's stored crops
     * @param accumulation    how the accumulator trains and accepts
     * @param republishGrowth republish when the accepted images grew by this share since the last release (e.g. 0.25)
     */
    public record Settings(int animals, Path storeRoot, long maxStoreBytes, IdentityAccumulator.Options accumulation,
                           double republishGrowth) {

        /**
         * Each training run draws at most this many of an identity's accepted images, so its cost stops
         * growing with the video's length once accumulation has labelled this many per animal.
         */
        public static final int MAX_IMAGES_PER_IDENTITY = 500;

        /**
         * The light network (measured at 52x52 on 10 synthetic identities: as accurate as idtracker.ai's,
         * 333 vs 124 images/s on one PyTorch thread), classic method, 1 GiB per session, republish at +25%,
         * at most {@link #MAX_IMAGES_PER_IDENTITY} images per identity in a training run.
         * Batches of 32 at learning rate 0.003, at most 25 epochs with patience 3: on the 8-animal arena
         * this reached the same identities as batches of 64 at 0.001 for 100 epochs in a third of the time.
         * Classic stays the default method (measured 2026-11-23, docs/EXPERIMENTS.md and BENCHMARKS.md):
         * contrastive + clustering wins on the arena (97.9% against 94.4% from 30 labelled crops per
         * animal at N = 10; 100% held out after one training against classic's 99.85% after two, in
         * about the same time), but on the synthetic spotted crops of this module's tests it scored
         * under classic once accumulation had labelled everything (98.6% against >= 99%; 97.0% in
         * the service test), and no end-to-end `shoal track` run has been made with it yet.
         */
        public static Settings defaults(int animals, Path storeRoot) {
            return new Settings(animals, storeRoot, 1L << 30, IdentityAccumulator.Options.defaults(
                    TrainingOptions.defaults().withBatchSize(32).withLearningRate(3e-3f).withMaxEpochs(25).withPatience(3)
                            .withMaxImagesPerIdentity(MAX_IMAGES_PER_IDENTITY),
                    IdentityNetwork.Architecture.LIGHT), 0.25);
        }

        /** The same settings training with {@code method}. */
        public Settings withMethod(TrainingMethod method) {
            IdentityAccumulator.Options a = accumulation;
            return new Settings(animals, storeRoot, maxStoreBytes, new IdentityAccumulator.Options(
                    a.training().withMethod(method), a.architecture(), a.certaintyThreshold(), a.stopShare(),
                    a.minCrops(), a.partialCertaintyThreshold()), republishGrowth);
        }
    }

    private final Settings settings;
    private final Producer<String, ModelRelease> producer;
    private final PrintWriter progress;
    private final MeterRegistry registry;
    private final ExecutorService trainingThread;
    private final Map<String, SessionTrainer> sessions = new HashMap<>();
    private final Set<String> finished = new HashSet<>();
    private final Counter trainingRuns;
    private final Timer trainingTime;
    private final Counter releases;
    private final Counter storedGlobals;
    private final AtomicLong releasesPublished = new AtomicLong();
    private volatile boolean stopping;

    /**
     * @param group        consumer group: {@link #GROUP} for the long-running service, a per-run group for a one-off run
     * @param startOffsets see {@link ConsumingService}
     * @param progress     where training progress lines print; null for none
     */
    public TrainerService(KafkaSettings kafka, String group, Map<TopicPartition, Long> startOffsets, Settings settings,
                          MeterRegistry registry, PrintWriter progress) {
        super(kafka, group, "trainer", Topics.GLOBAL_FRAGMENTS, Serdes.GLOBAL_FRAGMENT.deserializer(), startOffsets);
        this.settings = settings;
        this.registry = registry;
        this.progress = progress;
        this.producer = new KafkaProducer<>(kafka.producer("trainer"), new StringSerializer(),
                Serdes.MODEL_RELEASE.serializer());
        this.trainingThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "trainer-training");
            t.setDaemon(true);
            return t;
        });
        this.trainingRuns = Counter.builder("shoal.trainer.trainings").description("training runs").register(registry);
        this.trainingTime = Timer.builder("shoal.trainer.training.time").description("duration of a training run")
                .register(registry);
        this.releases = Counter.builder("shoal.trainer.releases").description("model releases published").register(registry);
        this.storedGlobals = Counter.builder("shoal.trainer.global.fragments.stored")
                .description("global fragments stored for training").register(registry);
        finishEndedSessions();
    }

    /** Sessions left by an earlier run after their end marker arrived but before their last release. */
    private void finishEndedSessions() {
        if (!Files.isDirectory(settings.storeRoot())) {
            return;
        }
        try (var directories = Files.list(settings.storeRoot())) {
            for (Path directory : (Iterable<Path>) directories::iterator) {
                if (!Files.isRegularFile(directory.resolve(END_FILE))) {
                    continue;
                }
                String session = directory.getFileName().toString();
                SessionTrainer trainer;
                try {
                    trainer = new SessionTrainer(session, 0);
                } catch (BadInputException otherSettings) {
                    // Left by a trainer with other settings (another run sharing the store root): not ours to finish.
                    LOG.warn("session {} in {} is left as it is: {}", session, settings.storeRoot(), otherSettings.getMessage());
                    continue;
                }
                finished.add(session);
                if (trainer.done) {
                    trainer.close();
                } else {
                    LOG.info("session {}: its end marker arrived before the trainer stopped; finishing it", session);
                    sessions.put(session, trainer);
                    trainer.end();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the trainer's store root " + settings.storeRoot(), e);
        }
    }

    @Override
    protected void handle(ConsumerRecord<String, GlobalFragment> record) {
        GlobalFragment global = record.value();
        String session = global.getSession();
        if (finished.contains(session)) {
            return;
        }
        SessionTrainer trainer = sessions.get(session);
        if (trainer == null && (global.getLast() || global.getFragmentsCount() > 0)) {
            trainer = new SessionTrainer(session, global.getLast() ? 0 : global.getFragments(0).getCropSize());
            if (trainer.done) {
                // A restarted trainer had already published this session's last release.
                finished.add(session);
                trainer.close();
                return;
            }
            sessions.put(session, trainer);
        }
        if (global.getLast()) {
            sessions.remove(session);
            finished.add(session);
            trainer.end();
            return;
        }
        if (global.getFragmentsCount() == 0) {
            return;
        }
        trainer.offer(global);
    }

    /** Model releases published so far, all sessions together. */
    public long releasesPublished() {
        return releasesPublished.get();
    }

    @Override
    protected void closeOutputs() {
        stopping = true;
        trainingThread.shutdownNow();
        boolean idle = false;
        try {
            idle = trainingThread.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (idle) {
            sessions.values().forEach(SessionTrainer::close);
        }
        producer.close();
    }

    /**
     * One session: its store (written on the consumer's thread) and its accumulator (used on the
     * training thread). The lock guards the store and the flags.
     */
    private final class SessionTrainer {
        private final String session;
        private final Path directory;
        private final int cropSize;
        /** The session's last release was published (by this run or an earlier one). */
        private boolean done;
        private final Object lock = new Object();
        private GlobalFragmentStore store;
        private IdentityAccumulator accumulator;
        private boolean scheduled;
        private boolean ended;
        private boolean fresh;
        private long version;
        private long publishedAcceptedImages;
        private int trainedOnGlobals;
        private volatile double validationAccuracy = Double.NaN;

        /**
         * Reopens the session's store and checkpoint when an earlier run left them, so training
         * carries on from there; otherwise starts empty.
         *
         * @param cropSize the crops' side from the first record, or 0 when unknown
         */
        SessionTrainer(String session, int cropSize) {
            this.session = session;
            this.directory = settings.storeRoot().resolve(session);
            if (GlobalFragmentStore.exists(directory)) {
                store = GlobalFragmentStore.reopen(directory, settings.maxStoreBytes());
                cropSize = store.cropSize();
                // Global fragments stored after the last checkpoint may be waiting to be learnt from.
                fresh = store.globals().size() > 0;
            }
            Path file = SessionCheckpoint.in(directory);
            SessionCheckpoint checkpoint = Files.isRegularFile(file) ? SessionCheckpoint.read(file) : null;
            if (cropSize == 0 && checkpoint != null) {
                cropSize = checkpoint.cropSize();
            }
            this.cropSize = cropSize;
            if (checkpoint != null) {
                checkpoint.checkFits(file, settings.animals(), cropSize, settings.accumulation().training().method(),
                        settings.accumulation().architecture());
                version = checkpoint.version();
                publishedAcceptedImages = checkpoint.publishedAcceptedImages();
                trainedOnGlobals = checkpoint.trainedOnGlobals();
                done = checkpoint.last();
                if (checkpoint.accumulator() != null && !done) {
                    accumulator = IdentityAccumulator.resume(settings.animals(), cropSize, settings.accumulation(),
                            progress, checkpoint.accumulator());
                    validationAccuracy = accumulator.model() == null ? Double.NaN
                            : accumulator.model().report().validationAccuracy();
                }
                LOG.info("session {}: resuming after release v{} with {} global fragments stored", session, version,
                        store == null ? 0 : store.globals().size());
            }
            Gauge.builder("shoal.trainer.validation.accuracy", this, s -> s.validationAccuracy)
                    .description("validation accuracy of the session's latest model").tag("session", session)
                    .register(registry);
        }

        void offer(GlobalFragment global) {
            synchronized (lock) {
                if (store == null) {
                    store = GlobalFragmentStore.create(directory, cropSize, settings.maxStoreBytes());
                }
                if (store.add(global)) {
                    storedGlobals.increment();
                    fresh = true;
                }
                schedule();
            }
        }

        /** Records on disk that the end marker arrived (it is not delivered again after a restart), then finishes. */
        void end() {
            try {
                Files.createDirectories(directory);
                if (!Files.exists(directory.resolve(END_FILE))) {
                    Files.createFile(directory.resolve(END_FILE));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot mark the end of session " + session + " in " + directory, e);
            }
            synchronized (lock) {
                ended = true;
                schedule();
            }
        }

        private void schedule() {
            if (!scheduled) {
                scheduled = true;
                trainingThread.execute(this::work);
            }
        }

        /** Runs on the training thread until there is nothing new to learn from (or the session is done). */
        private void work() {
            try {
                while (true) {
                    boolean end;
                    GlobalFragmentStore.Snapshot snapshot;
                    synchronized (lock) {
                        if (!fresh && !ended) {
                            scheduled = false;
                            return;
                        }
                        fresh = false;
                        end = ended;
                        snapshot = store == null ? null : store.snapshot();
                    }
                    try {
                        if (end) {
                            finish(snapshot);
                            return;
                        }
                        improve(snapshot);
                    } finally {
                        if (snapshot != null) {
                            snapshot.close();
                        }
                    }
                }
            } catch (CancellationException e) {
                LOG.info("session {}: training stopped with the service; a restart carries on from release v{}",
                        session, version);
            } catch (RuntimeException e) {
                if (stopping) {
                    // Reads of the store fail when the stop interrupts them: not a training failure.
                    LOG.info("session {}: training stopped with the service ({})", session, e.toString());
                    return;
                }
                LOG.error("training failed for session {}", session, e);
                publishFinal("training failed: " + e.getMessage());
            }
        }

        /** Steps while steps accept something; publishes when the accepted images grew enough. */
        private void improve(GlobalFragmentStore.Snapshot snapshot) {
            if (accumulator == null) {
                accumulator = new IdentityAccumulator(settings.animals(), cropSize, settings.accumulation(), progress);
            }
            while (!Thread.currentThread().isInterrupted()) {
                IdentityAccumulator.Step step = timed(() -> accumulator.step(snapshot));
                if (step.trained()) {
                    trainedOnGlobals = snapshot.globals().size();
                    if (version == 0 || step.acceptedImages() >= (1 + settings.republishGrowth()) * publishedAcceptedImages) {
                        publish(snapshot, false);
                    }
                } else if (!step.acceptedAny()) {
                    break;
                }
                if (accumulator.finished(snapshot)) {
                    break;
                }
            }
            if (accumulator.model() != null && settings.accumulation().training().method() != TrainingMethod.CLASSIC
                    && snapshot.globals().size() > trainedOnGlobals) {
                timed(() -> accumulator.retrain(snapshot));
                trainedOnGlobals = snapshot.globals().size();
                publish(snapshot, false);
            }
        }

        private void finish(GlobalFragmentStore.Snapshot snapshot) {
            if (snapshot == null) {
                publishFinal("no global fragment arrived for this session, so no identity network could be trained");
                return;
            }
            if (accumulator == null) {
                accumulator = new IdentityAccumulator(settings.animals(), cropSize, settings.accumulation(), progress);
            }
            if (!accumulator.finished(snapshot)) {
                timed(() -> accumulator.accumulate(snapshot));
            }
            if (accumulator.model() == null) {
                publishFinal("no global fragment had " + settings.animals() + " fragments of at least "
                        + settings.accumulation().minCrops() + " crops, so no identity network could be trained");
            } else {
                publish(snapshot, true);
            }
            close();
        }

        private <T> T timed(Supplier<T> training) {
            int before = accumulator.trainings();
            long start = System.nanoTime();
            T result = training.get();
            int runs = accumulator.trainings() - before;
            if (runs > 0) {
                trainingRuns.increment(runs);
                trainingTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
            return result;
        }

        private void publish(GlobalFragmentStore.Snapshot snapshot, boolean last) {
            TrainedIdentityModel model = accumulator.model();
            TrainingReport report = model.report();
            long accepted = accumulator.acceptedImages(snapshot);
            checkpoint(version + 1, accepted, last);
            version++;
            ModelRelease base = ModelReleases.release(session, version, method(), OnnxExporter.export(model), report,
                    Instant.now());
            ModelRelease release = base.toBuilder().setOutputName(OnnxExporter.PROBABILITIES_NAME).setLast(last)
                    .setMetrics(base.getMetrics().toBuilder().setImages(accepted)
                            .setGlobalFragments(accumulator.acceptedGlobals().size()))
                    .build();
            send(release);
            publishedAcceptedImages = accepted;
            validationAccuracy = report.validationAccuracy();
            LOG.info(String.format(Locale.ROOT, "session %s: model v%d%s, %d of %d images in %d global fragments accepted,"
                            + " validation accuracy %.4f, %.0f images/s", session, version, last ? " (last)" : "",
                    publishedAcceptedImages, snapshot.images(), accumulator.acceptedGlobals().size(),
                    report.validationAccuracy(), report.imagesPerSecond()));
        }

        private void publishFinal(String note) {
            checkpoint(version + 1, publishedAcceptedImages, true);
            version++;
            send(ModelRelease.newBuilder().setSession(session).setVersion(version).setLast(true).setNote(note)
                    .setOutputName(OnnxExporter.PROBABILITIES_NAME)
                    .setMetrics(TrainingMetrics.newBuilder().setMethod(method()))
                    .setCreatedWallTimeNs(System.currentTimeMillis() * 1_000_000L).build());
            LOG.warn("session {}: final release v{} without a model: {}", session, version, note);
            close();
        }

        /**
         * Writes what the release about to be published stands on, before it is sent: a restart then
         * never reuses its version (at worst it skips one whose send the stop interrupted).
         */
        private void checkpoint(long releaseVersion, long acceptedImages, boolean last) {
            if (stopping || Thread.currentThread().isInterrupted()) {
                throw new CancellationException("the service is stopping");
            }
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the session directory " + directory, e);
            }
            new SessionCheckpoint(settings.animals(), cropSize, settings.accumulation().training().method(),
                    settings.accumulation().architecture(), releaseVersion, acceptedImages, trainedOnGlobals, last,
                    accumulator == null ? null : accumulator.checkpoint()).write(SessionCheckpoint.in(directory));
        }

        private void send(ModelRelease release) {
            producer.send(new ProducerRecord<>(Topics.MODELS, session, release));
            producer.flush();
            releases.increment();
            releasesPublished.incrementAndGet();
        }

        private String method() {
            return settings.accumulation().training().method().name().toLowerCase(Locale.ROOT);
        }

        private void close() {
            if (accumulator != null) {
                accumulator.close();
                accumulator = null;
            }
            synchronized (lock) {
                if (store != null) {
                    store.close();
                    store = null;
                }
            }
        }
    }
}
