package dev.shoal.identifier;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.PipelineService;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.IdentifierCheckpoint;
import dev.shoal.core.proto.IdentityCorrection;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.Track;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identifier: consumes {@code shoal.blobs.v1} and {@code shoal.models.v1}, publishes
 * {@code shoal.tracks.v1} and {@code shoal.identity-corrections.v1}.
 *
 * <p>Before a session has a model, its tracks are provisional (identity = fragment id, model version
 * 0). With a model, the crops of consecutive frames are scored in micro-batches (flushed at
 * {@link Options#batchCrops} crops or after {@link Options#maxDelay}), identities are assigned by a
 * {@link FragmentIdentityAssigner} and each frame's tracks are published as soon as its batch is
 * scored. A new release is checked and swapped in between two batches, so no frame is lost or
 * published twice; a refused release leaves the previous model serving.
 *
 * <p>After a swap, the fragments of the window are re-scored with the new model and every changed
 * identity is published as a correction. Crops for that are re-read from {@code shoal.blobs.v1} from
 * the window's first offset rather than kept: the topic keeps the recording anyway, so the service
 * holds no 2.7 KB crops at all, whatever the window. When the session's last frame is processed and
 * the trainer's last release is applied, the window is re-scored with it, the corrections published,
 * then the end marker.
 *
 * <p>Its own poll loop rather than {@code ConsumingService}: it reads two topics and must wake up
 * for the micro-batch deadline, and it commits offsets only once their frames are published.
 *
 * <p>A long-running instance ({@link #IdentificationService(KafkaSettings, String, Map, Options, String)},
 * {@code shoal serve identifier}) is exactly once, as the segmenter is: each transaction holds its
 * tracks and corrections, the consumed offsets and the checkpoint of every session that progressed
 * on {@link Topics#IDENTIFIER_STATE} (the assigner's state; the model in service once per version).
 * A restarted instance of the same name fences the dead one, aborts its open transaction, reloads
 * the checkpoints and goes on from the last commit, so read_committed readers see what an
 * uninterrupted run publishes. It joins its group as a static member under that name, so a restart
 * takes over the dead one's partitions at once rather than after the group's session timeout.
 * A one-off run ({@code track}, {@code live}: a group per session, nothing to resume) skips the
 * transactions and checkpoints, which would add a round trip to every frame's latency.
 */
public final class IdentificationService implements PipelineService {

    private static final Logger LOG = LoggerFactory.getLogger(IdentificationService.class);
    public static final String GROUP = "shoal-identifier";
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    /** Longest an exactly-once instance keeps its output in an open transaction while busy. */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

    /**
     * @param animals      identities per session (the model's classes)
     * @param cropSize     side of the segmenter's identification crops
     * @param batchCrops   crops that trigger a scoring call
     * @param maxDelay     longest a frame waits for its batch to fill; 0 scores whatever one poll brought
     *                      (a closed loop: the next live frame is 17-33 ms away, so waiting only adds latency)
     * @param windowFrames how far back (in frames) ended fragments are re-scored by a new model;
     *                     {@link Long#MAX_VALUE} keeps the whole session (finished files)
     */
    public record Options(int animals, int cropSize, int batchCrops, Duration maxDelay, long windowFrames,
                          IdentityScorer.Options scorer, FragmentIdentityAssigner.Options assignment) {

        public Options {
            if (animals < 1 || cropSize < 1 || batchCrops < 1 || maxDelay.isNegative() || windowFrames < 0) {
                throw new BadInputException("identifier options: animals " + animals + ", crop size " + cropSize
                        + ", batch " + batchCrops + ", max delay " + maxDelay + ", window " + windowFrames
                        + "; all must be positive (delay and window may be 0)");
            }
        }

        /** Files: a short wait fills batches from frames that arrive together. */
        public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(2);
        /** Crops in a full micro-batch. */
        public static final int DEFAULT_BATCH_CROPS = 64;

        /** Flush at 64 crops or 2 ms; the whole session is re-scored by a new model. */
        public static Options defaults(int animals, int cropSize) {
            return new Options(animals, cropSize, DEFAULT_BATCH_CROPS, DEFAULT_MAX_DELAY, Long.MAX_VALUE,
                    IdentityScorer.Options.defaults(), FragmentIdentityAssigner.Options.defaults());
        }
    }

    /** What the service knows of one session. */
    private final class Session {
        final String id;
        final FragmentIdentityAssigner assigner;
        final NavigableMap<Long, Long> offsetOfFrame = new TreeMap<>();
        /** Partition number of the session on the blobs and models topics (keyed alike); -1 before a record. */
        int partition = -1;
        IdentityScorer scorer;
        /** The release in service, until its checkpoint record is written (exactly-once instances). */
        ModelRelease unwrittenRelease;
        long lastFrame = -1;
        boolean lastFrameSeen;
        boolean finalRelease;
        boolean finished;
        boolean dirty;

        Session(String id) {
            this.id = id;
            this.assigner = new FragmentIdentityAssigner(options.animals(), options.assignment());
        }

        Session(IdentifierCheckpoint saved, IdentityScorer scorer) {
            this.id = saved.getSession();
            this.assigner = FragmentIdentityAssigner.restore(options.animals(), options.assignment(),
                    saved.getAssigner());
            this.partition = saved.getPartition();
            this.scorer = scorer;
            this.lastFrame = saved.getLastFrame();
            this.lastFrameSeen = saved.getLastFrameSeen();
            this.finalRelease = saved.getFinalRelease();
            this.finished = saved.getFinished();
            if (saved.getLastFrame() >= 0) {
                offsetOfFrame.put(saved.getWindowFrame(), saved.getWindowOffset());
                offsetOfFrame.put(saved.getLastFrame(), saved.getLastOffset());
            }
        }

        TopicPartition blobsPartition() {
            return new TopicPartition(Topics.BLOBS, partition);
        }

        /** The checkpoint of this state: the re-score window is kept as its first frame's offset and the last's. */
        IdentifierCheckpoint checkpoint() {
            IdentifierCheckpoint.Builder out = IdentifierCheckpoint.newBuilder().setSession(id).setPartition(partition)
                    .setLastFrame(lastFrame).setLastFrameSeen(lastFrameSeen).setFinalRelease(finalRelease)
                    .setFinished(finished).setModelVersion(modelVersion());
            if (finished) {
                return out.build();
            }
            if (!offsetOfFrame.isEmpty()) {
                out.setWindowFrame(offsetOfFrame.firstKey()).setWindowOffset(offsetOfFrame.firstEntry().getValue())
                        .setLastOffset(offsetOfFrame.lastEntry().getValue());
            }
            return out.setAssigner(assigner.state()).build();
        }

        long modelVersion() {
            return scorer == null ? 0 : scorer.version();
        }
    }

    /** A frame waiting for its batch, with its crops' place in the batch. */
    private record PendingFrame(Session session, FrameBlobs blobs, long offset) {
    }

    private record PendingCrop(Session session, long fragment, long frame, ByteString crop) {
    }

    private final KafkaSettings settings;
    private final Options options;
    /** Exactly once: transactional outputs with checkpoints (a long-running instance). */
    private final boolean transactional;
    private Map<String, byte[]> stored = new HashMap<>();
    private boolean inTransaction;
    private boolean consumedSinceCommit;
    private boolean closing;
    private volatile boolean halted;
    private long lastCommitNanos = System.nanoTime();
    private final Map<TopicPartition, Long> startOffsets;
    private final Consumer<String, Message> consumer;
    private final Producer<String, Message> producer;
    private final Map<String, Session> sessions = new HashMap<>();
    private final List<PendingFrame> pendingFrames = new ArrayList<>();
    private final List<PendingCrop> pendingCrops = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private long deadlineNanos;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long framesPublished;
    private volatile long cropsScored;
    private volatile long busyNanos;
    private volatile long correctionsPublished;
    private volatile long sessionsResumed;

    /**
     * A one-off run's identifier: at-least-once, no checkpoints.
     *
     * @param startOffsets as for {@code ConsumingService}: where partitions without a committed offset start
     */
    public IdentificationService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets,
                                 Options options) {
        this(settings, group, startOffsets, options, null);
    }

    /**
     * @param instance the instance's name within its group, for an exactly-once instance that resumes
     *                 from its checkpoints (its transactional id and static member id are the group and
     *                 the name: a restarted instance must keep its name); null for a one-off run
     */
    public IdentificationService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets,
                                 Options options, String instance) {
        this.settings = settings;
        this.options = options;
        this.startOffsets = Map.copyOf(startOffsets);
        this.transactional = instance != null;
        Properties consumerProperties = settings.consumer(group, "identifier");
        Properties producerProperties = settings.producer("identifier");
        if (transactional) {
            consumerProperties.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group + "-" + instance);
            producerProperties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-" + instance);
        }
        this.consumer = new KafkaConsumer<>(consumerProperties, new StringDeserializer(), byTopic());
        this.producer = new KafkaProducer<>(producerProperties, new StringSerializer(), Serdes.ANY_MESSAGE);
    }

    private static Deserializer<Message> byTopic() {
        return (topic, data) -> data == null ? null : Topics.MODELS.equals(topic)
                ? Serdes.MODEL_RELEASE.deserializer().deserialize(topic, data)
                : Serdes.FRAME_BLOBS.deserializer().deserialize(topic, data);
    }

    @Override
    public void run() {
        try {
            if (transactional) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(Topics.BLOBS, Topics.MODELS), new Rebalances());
            while (running) {
                ConsumerRecords<String, Message> records = consumer.poll(pollTimeout());
                long start = System.nanoTime();
                for (ConsumerRecord<String, Message> record : records) {
                    if (record.value() instanceof ModelRelease release) {
                        onRelease(release, record.partition());
                    } else if (record.value() instanceof FrameBlobs blobs) {
                        onFrame(blobs, record.partition(), record.offset());
                    }
                }
                consumedSinceCommit |= !records.isEmpty();
                if (!pendingFrames.isEmpty() && System.nanoTime() - deadlineNanos >= 0) {
                    flush();
                }
                if (pendingFrames.isEmpty() && transactional) {
                    // Idle or a commit interval gone: what is handled becomes visible downstream.
                    if (records.isEmpty() || System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL.toNanos()) {
                        commit();
                    }
                } else if (pendingFrames.isEmpty() && !records.isEmpty()) {
                    producer.flush();
                    consumer.commitAsync();
                }
                busyNanos += System.nanoTime() - start;
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("identifier stopped: {}", e.getMessage(), e);
        }
        try {
            if (halted) {
                LOG.info("identifier halted: the open transaction is left to the next instance");
            } else if (transactional && failure == null) {
                // A stop between polls: publish what waits for its batch and commit it.
                flush();
                commit();
            } else if (transactional && inTransaction) {
                producer.abortTransaction();
            }
        } catch (Throwable e) {
            failure = failure == null ? e : failure;
        } finally {
            closing = true;
            try {
                // A halt leaves the open transaction to be aborted by the next instance, as a crash would.
                producer.close(halted ? Duration.ZERO : Duration.ofSeconds(30));
                sessions.values().forEach(s -> {
                    if (s.scorer != null) {
                        s.scorer.close();
                    }
                });
            } finally {
                consumer.close(Duration.ofSeconds(5));
                stopped.countDown();
            }
        }
    }

    private Duration pollTimeout() {
        if (pendingFrames.isEmpty()) {
            return IDLE_POLL;
        }
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** The session of {@code id}: in hand, resumed from its checkpoint, or new. */
    private Session session(String id, int partition) {
        Session session = sessions.get(id);
        if (session == null) {
            session = resume(id);
            if (session == null) {
                session = new Session(id);
            }
            session.partition = partition;
            sessions.put(id, session);
        }
        return session;
    }

    private Session resume(String id) {
        byte[] state = stored.remove(IdentifierStateTopic.stateKey(id));
        byte[] model = stored.remove(IdentifierStateTopic.modelKey(id));
        if (state == null) {
            return null;
        }
        IdentifierCheckpoint saved = IdentifierStateTopic.checkpoint(state);
        IdentityScorer scorer = null;
        if (saved.getModelVersion() > 0) {
            if (model == null) {
                throw new IllegalStateException(Topics.IDENTIFIER_STATE + ": session " + id + " is at model v"
                        + saved.getModelVersion() + " but its model record is missing");
            }
            scorer = IdentityScorer.load(IdentifierStateTopic.release(model), options.cropSize(), options.animals(),
                    options.scorer());
        }
        LOG.info("session {}: resumed at frame {} under model v{}", id, saved.getLastFrame(), saved.getModelVersion());
        sessionsResumed++;
        return new Session(saved, scorer);
    }

    private void send(ProducerRecord<String, Message> record) {
        if (transactional && !inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
        }
        producer.send(record);
    }

    private void onRelease(ModelRelease release, int partition) {
        Session session = session(release.getSession(), partition);
        session.dirty = true;
        if (session.finished || release.getVersion() <= session.modelVersion()) {
            return;
        }
        flush();
        if (release.getOnnx().isEmpty()) {
            LOG.warn("model release {} v{} carries no model: {}", release.getSession(), release.getVersion(), release.getNote());
        } else {
            try {
                IdentityScorer scorer = IdentityScorer.load(release, options.cropSize(), options.animals(), options.scorer());
                if (session.scorer != null) {
                    session.scorer.close();
                }
                session.scorer = scorer;
                session.unwrittenRelease = transactional ? release : null;
                LOG.info("session {}: identifying with model v{}", session.id, release.getVersion());
                if (session.lastFrame >= 0 && !(release.getLast() && session.lastFrameSeen)) {
                    rescore(session);
                }
            } catch (BadInputException e) {
                LOG.error("{}; model v{} stays in service", e.getMessage(), session.modelVersion());
            }
        }
        if (release.getLast()) {
            session.finalRelease = true;
            finishIfDone(session);
        }
    }

    private void onFrame(FrameBlobs blobs, int partition, long offset) {
        Session session = session(blobs.getSession(), partition);
        if (session.finished || blobs.getIndex() <= session.lastFrame) {
            return;
        }
        session.dirty = true;
        session.offsetOfFrame.put(blobs.getIndex(), offset);
        session.lastFrame = blobs.getIndex();
        if (session.scorer == null) {
            session.assigner.recordProvisional(blobs.getIndex(), individualFragments(blobs));
            send(new ProducerRecord<>(Topics.TRACKS, session.id, provisionalTracks(blobs)));
            framesPublished++;
            endOfFrame(session, blobs);
            return;
        }
        if (pendingFrames.isEmpty()) {
            deadlineNanos = System.nanoTime() + options.maxDelay().toNanos();
        }
        pendingFrames.add(new PendingFrame(session, blobs, offset));
        for (Blob blob : blobs.getBlobsList()) {
            if (blob.getKind() == BlobKind.INDIVIDUAL && !blob.getCrop().isEmpty()) {
                checkCrop(blobs, blob);
                if (session.assigner.wantsScore(blob.getFragment())) {
                    pendingCrops.add(new PendingCrop(session, blob.getFragment(), blobs.getIndex(), blob.getCrop()));
                }
            }
        }
        if (pendingCrops.size() >= options.batchCrops()) {
            flush();
        }
    }

    /**
     * Identity = fragment id for individual blobs, as {@link ProvisionalTrackingService} does; crossings
     * get none, since no later correction (which only revises individual fragments) would remove it.
     */
    static FrameTracks provisionalTracks(FrameBlobs blobs) {
        FrameTracks.Builder tracks = ProvisionalTrackingService.provisionalTracks(blobs).toBuilder();
        for (int i = 0; i < blobs.getBlobsCount(); i++) {
            if (blobs.getBlobs(i).getKind() != BlobKind.INDIVIDUAL) {
                tracks.setTracks(i, tracks.getTracks(i).toBuilder().setIdentity(0));
            }
        }
        return tracks.build();
    }

    private void checkCrop(FrameBlobs blobs, Blob blob) {
        if (blob.getCropSize() != options.cropSize() || blob.getCrop().size() != options.cropSize() * options.cropSize()) {
            throw new BadInputException(Topics.BLOBS + " session " + blobs.getSession() + " frame " + blobs.getIndex()
                    + " fragment " + blob.getFragment() + ": crop is " + blob.getCropSize() + "x" + blob.getCropSize()
                    + " (" + blob.getCrop().size() + " bytes) but the identifier expects " + options.cropSize() + "x"
                    + options.cropSize() + "; set the identifier's crop size to the segmenter's");
        }
    }

    /** Scores the pending crops, then assigns and publishes the pending frames in order. */
    private void flush() {
        if (pendingFrames.isEmpty()) {
            return;
        }
        Map<Session, List<PendingCrop>> bySession = new LinkedHashMap<>();
        for (PendingCrop crop : pendingCrops) {
            bySession.computeIfAbsent(crop.session(), s -> new ArrayList<>()).add(crop);
        }
        for (Map.Entry<Session, List<PendingCrop>> entry : bySession.entrySet()) {
            score(entry.getKey(), entry.getValue());
        }
        pendingCrops.clear();
        List<PendingFrame> frames = List.copyOf(pendingFrames);
        pendingFrames.clear();
        for (PendingFrame frame : frames) {
            publishIdentified(frame.session(), frame.blobs());
        }
    }

    private void score(Session session, List<PendingCrop> crops) {
        List<ByteString> images = new ArrayList<>(crops.size());
        crops.forEach(c -> images.add(c.crop()));
        float[][] probabilities = session.scorer.score(images);
        for (int i = 0; i < crops.size(); i++) {
            session.assigner.addEvidence(crops.get(i).fragment(), crops.get(i).frame(), probabilities[i]);
        }
        cropsScored += crops.size();
    }

    private void publishIdentified(Session session, FrameBlobs blobs) {
        long[] individuals = individualFragments(blobs);
        FragmentIdentityAssigner.FrameAssignment assignment = session.assigner.assign(blobs.getIndex(), individuals);
        Map<Long, Integer> slot = new HashMap<>();
        for (int i = 0; i < individuals.length; i++) {
            slot.put(individuals[i], i);
        }
        FrameTracks.Builder out = FrameTracks.newBuilder()
                .setSession(session.id)
                .setIndex(blobs.getIndex())
                .setCaptureTimeNs(blobs.getCaptureTimeNs())
                .setWallTimeNs(blobs.getWallTimeNs())
                .setMediaTimeS(blobs.getMediaTimeS())
                .setLast(blobs.getLast())
                .setModelVersion(session.modelVersion());
        for (Blob blob : blobs.getBlobsList()) {
            Integer i = blob.getKind() == BlobKind.INDIVIDUAL ? slot.get(blob.getFragment()) : null;
            // Animals inside a crossing get no identity here; the writer interpolates their positions.
            out.addTracks(Track.newBuilder()
                    .setIdentity(i == null ? 0 : assignment.identities()[i])
                    .setX(blob.getX())
                    .setY(blob.getY())
                    .setAngle(blob.getOrientation())
                    .setConfidence(i == null ? 0 : assignment.confidences()[i])
                    .setFragment(blob.getFragment()));
        }
        send(new ProducerRecord<>(Topics.TRACKS, session.id, out.build()));
        framesPublished++;
        publishCorrections(session, assignment.corrections());
        endOfFrame(session, blobs);
    }

    private static long saturatedSubtract(long a, long b) {
        return b >= a ? Long.MIN_VALUE : a - b;
    }

    private void endOfFrame(Session session, FrameBlobs blobs) {
        session.assigner.forgetClosedBefore(saturatedSubtract(blobs.getIndex(), options.windowFrames()));
        // The entry at or before the window's first frame stays: it is where a re-score reads from.
        Long keep = session.offsetOfFrame.floorKey(Math.max(0, session.assigner.windowFirstFrame()));
        if (keep != null) {
            session.offsetOfFrame.headMap(keep, false).clear();
        }
        if (blobs.getLast()) {
            session.lastFrameSeen = true;
            finishIfDone(session);
        }
    }

    private static long[] individualFragments(FrameBlobs blobs) {
        return blobs.getBlobsList().stream().filter(b -> b.getKind() == BlobKind.INDIVIDUAL)
                .mapToLong(Blob::getFragment).toArray();
    }

    private void finishIfDone(Session session) {
        if (session.finished || !session.lastFrameSeen || !session.finalRelease || !pendingFrames.isEmpty()) {
            return;
        }
        if (session.scorer != null) {
            rescore(session);
        }
        send(new ProducerRecord<>(Topics.IDENTITY_CORRECTIONS, session.id, IdentityCorrection.newBuilder()
                .setSession(session.id).setModelVersion(session.modelVersion()).setLast(true).build()));
        producer.flush();
        session.finished = true;
        LOG.info("session {}: final under model v{}", session.id, session.modelVersion());
    }

    /** Re-reads the window's frames from the blobs topic, scores its fragments' crops, publishes corrections. */
    private void rescore(Session session) {
        long first = session.assigner.windowFirstFrame();
        if (first < 0 || session.offsetOfFrame.isEmpty()) {
            return;
        }
        // From the offset of the window's first frame or of an earlier one: frames before it hold no retained fragment.
        Map.Entry<Long, Long> at = session.offsetOfFrame.floorEntry(first);
        if (at == null) {
            at = session.offsetOfFrame.ceilingEntry(first);
        }
        long from = at == null ? 0 : at.getValue();
        long to = session.offsetOfFrame.lastEntry().getValue();
        session.assigner.beginRescore();
        List<PendingCrop> batch = new ArrayList<>();
        try (Consumer<String, FrameBlobs> reader = new KafkaConsumer<>(
                settings.consumer("shoal-identifier-rescore", "identifier-rescore"), new StringDeserializer(),
                Serdes.FRAME_BLOBS.deserializer())) {
            TopicPartition partition = session.blobsPartition();
            reader.assign(List.of(partition));
            reader.seek(partition, from);
            long position = from;
            // An exactly-once instance finishes a re-score even when asked to stop: a partial one must not be committed.
            while (position <= to && (running || transactional)) {
                for (ConsumerRecord<String, FrameBlobs> record : reader.poll(IDLE_POLL)) {
                    position = record.offset() + 1;
                    FrameBlobs blobs = record.value();
                    if (record.offset() > to || blobs == null || !session.id.equals(blobs.getSession())) {
                        continue;
                    }
                    for (Blob blob : blobs.getBlobsList()) {
                        if (blob.getKind() == BlobKind.INDIVIDUAL && !blob.getCrop().isEmpty()
                                && session.assigner.retains(blob.getFragment())
                                && session.assigner.wantsScore(blob.getFragment())) {
                            batch.add(new PendingCrop(session, blob.getFragment(), blobs.getIndex(), blob.getCrop()));
                        }
                    }
                    if (batch.size() >= options.batchCrops()) {
                        score(session, batch);
                        batch.clear();
                    }
                }
            }
        }
        score(session, batch);
        publishCorrections(session, session.assigner.reassign());
    }

    private void publishCorrections(Session session, List<FragmentIdentityAssigner.Correction> corrections) {
        for (FragmentIdentityAssigner.Correction c : corrections) {
            send(new ProducerRecord<>(Topics.IDENTITY_CORRECTIONS, session.id, IdentityCorrection.newBuilder()
                    .setSession(session.id)
                    .setFragment(c.fragment())
                    .setFirstFrame(c.firstFrame())
                    .setLastFrame(c.lastFrame())
                    .setOldIdentity(c.oldIdentity())
                    .setNewIdentity(c.newIdentity())
                    .setModelVersion(session.modelVersion())
                    .build()));
            correctionsPublished++;
        }
    }

    /**
     * Commits the open transaction with the checkpoints of the sessions that progressed and the
     * positions of every assigned partition: called only with no frame waiting for its batch, so
     * every record before those positions is handled and its output sent.
     */
    private void commit() {
        boolean dirty = sessions.values().stream().anyMatch(s -> s.dirty);
        if (!inTransaction && !consumedSinceCommit && !dirty) {
            return;
        }
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
        }
        for (Session session : sessions.values()) {
            if (session.dirty) {
                writeCheckpoint(session);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            offsets.put(partition, new OffsetAndMetadata(consumer.position(partition)));
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        inTransaction = false;
        consumedSinceCommit = false;
        lastCommitNanos = System.nanoTime();
    }

    private void writeCheckpoint(Session session) {
        if (session.partition < 0) {
            return;
        }
        if (session.finished) {
            send(new ProducerRecord<>(Topics.IDENTIFIER_STATE, IdentifierStateTopic.modelKey(session.id), null));
        } else if (session.unwrittenRelease != null) {
            send(new ProducerRecord<>(Topics.IDENTIFIER_STATE, IdentifierStateTopic.modelKey(session.id),
                    session.unwrittenRelease));
            session.unwrittenRelease = null;
        }
        send(new ProducerRecord<>(Topics.IDENTIFIER_STATE, IdentifierStateTopic.stateKey(session.id),
                session.checkpoint()));
        session.dirty = false;
    }

    /**
     * Exactly-once instances commit what is in hand before partitions go and resume assigned ones
     * from their checkpoints; every instance starts partitions without a committed offset at the
     * given start offsets.
     */
    private final class Rebalances implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!transactional || closing || halted) {
                return;
            }
            flush();
            commit();
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!transactional || closing || halted) {
                return;
            }
            // Another instance owns them now: what is in hand for them must not be committed.
            if (inTransaction) {
                producer.abortTransaction();
                inTransaction = false;
            }
            pendingFrames.clear();
            pendingCrops.clear();
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (transactional) {
                Map<String, byte[]> loaded = new HashMap<>(IdentifierStateTopic.load(settings));
                sessions.keySet().forEach(id -> {
                    loaded.remove(IdentifierStateTopic.stateKey(id));
                    loaded.remove(IdentifierStateTopic.modelKey(id));
                });
                stored = loaded;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            for (TopicPartition partition : partitions) {
                Long start = startOffsets.get(partition);
                if (start != null && committed.get(partition) == null) {
                    consumer.seek(partition, start);
                }
            }
        }

        private void drop(Collection<TopicPartition> partitions) {
            Set<Integer> numbers = new HashSet<>();
            partitions.forEach(p -> numbers.add(p.partition()));
            sessions.values().removeIf(session -> {
                if (numbers.contains(session.partition)) {
                    if (session.scorer != null) {
                        session.scorer.close();
                    }
                    return true;
                }
                return false;
            });
        }
    }

    @Override
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /**
     * Stops at once as a crash would (exactly-once instances): nothing more is committed, the open
     * transaction is left for the next instance of the same name to abort.
     */
    public void halt() {
        halted = true;
        stop();
    }

    @Override
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    public long framesPublished() {
        return framesPublished;
    }

    public long cropsScored() {
        return cropsScored;
    }

    public long correctionsPublished() {
        return correctionsPublished;
    }

    /** Sessions taken up from a checkpoint a previous instance committed. */
    public long sessionsResumed() {
        return sessionsResumed;
    }

    @Override
    public long busyNanos() {
        return busyNanos;
    }
}
