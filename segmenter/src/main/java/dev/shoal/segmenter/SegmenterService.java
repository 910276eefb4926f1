package dev.shoal.segmenter;

import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.PipelineService;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.BoundingBox;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import dev.shoal.segmenter.proto.SessionCheckpoint;
import dev.shoal.segmenter.proto.StoredImage;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segmenter as a service: consumes {@code shoal.frames.v1}, publishes one {@code FrameBlobs} per
 * frame on {@code shoal.blobs.v1} and the global fragments on {@code shoal.global-fragments.v1},
 * exactly once. Sessions on different partitions go in parallel across instances of a group.
 *
 * <p>A plain consumer and a transactional producer rather than Kafka Streams: each file session
 * first reads a warm-up window to build its background, then rewinds the frames topic to its first
 * frame and segments from there, so no frame waits in memory; a Streams topology cannot seek its
 * input back, and would have to hold every warm-up frame in a store instead. A live session (frame
 * count 0) does not rewind: it goes on from the frame after its warm-up (or, for the closed loop,
 * {@link OnlineSettings#newestAfterWarmUp()}, from the newest frame on the partition then), so the
 * window does not become a backlog that later frames wait behind; the frames passed over are counted
 * ({@link #framesSkipped()}) and never segmented, and fragments start at the first segmented frame.
 * Where a live session resumes is not checkpointed: a restart before its first commit redoes the
 * warm-up and picks it again; after a commit, it resumes at the committed frame.
 * A live session that stops ends with a last frame without pixels: it is published as a frame
 * without blobs that carries {@code last}, so the trainer and identifier finish the session.
 *
 * <p>Exactly once (unless {@link Transactions#none()}): each transaction holds the outputs, the consumed offsets and the checkpoint of
 * every session that progressed ({@link CheckpointTopic}: a few kilobytes, the background once, each
 * kept crop once). It commits every {@link Transactions#everyFrames} segmented frames, at a
 * session's last frame, after {@link Transactions#everyMillis} at the end of a poll, on a rebalance
 * and on {@link #stop()}. A restarted instance (same group and instance name) aborts the dead one's
 * open transaction, reloads the checkpoints and goes on from the last commit, so read_committed
 * readers see what an uninterrupted run publishes. Warm-ups are not checkpointed (they are the
 * sample frames themselves): a partition's committed offset never passes the first frame of a session
 * still warming up on it, so a restart redoes that warm-up.
 */
public final class SegmenterService implements PipelineService {

    public static final String GROUP = "shoal-segmenter";
    private static final Logger LOG = LoggerFactory.getLogger(SegmenterService.class);

    /**
     * When transactions commit, and the instance's name within its group (its transactional id is
     * the group and the name: a restarted instance must keep its name to fence the dead one).
     *
     * @param everyFrames commit after this many segmented frames
     * @param everyMillis commit at the end of a poll when this much time has passed since the last
     *                    commit; 0 commits only by frames, at session ends, rebalances and stops
     * @param exactlyOnce false: no transactions and no checkpoints ({@link #none()})
     */
    public record Transactions(int everyFrames, long everyMillis, String instance, boolean exactlyOnce) {

        public Transactions {
            if (everyFrames < 1) {
                throw new IllegalArgumentException("commit interval " + everyFrames + " must be at least 1 frame");
            }
        }

        /** Exactly once, committing at these intervals. */
        public Transactions(int everyFrames, long everyMillis, String instance) {
            this(everyFrames, everyMillis, instance, true);
        }

        /** About one commit a second at 25 fps, as Kafka Streams' exactly-once default order of magnitude. */
        public static Transactions defaults() {
            return new Transactions(25, 1000, "0");
        }

        /**
         * No transactions and no checkpoints, for a run that could not resume anyway (one process
         * and its own broker, as {@code shoal live}): each frame's records are visible to
         * read_committed readers as soon as they are written, instead of at a commit that costs a
         * checkpoint and several broker round trips per frame; consumed offsets are committed
         * asynchronously every 25 frames or second. A restart would segment frames again, at least once.
         */
        public static Transactions none() {
            return new Transactions(25, 1000, "0", false);
        }
    }

    private final KafkaSettings settings;
    private final SegmentationSettings segmentation;
    private final WarmUp warmUp;
    private final OnlineSettings online;
    private final Transactions transactions;
    private final Map<TopicPartition, Long> startOffsets;
    private final Consumer<String, Frame> consumer;
    private final Producer<String, Message> producer;
    private final Map<String, Session> sessions = new HashMap<>();
    private final Set<String> finished = new HashSet<>();
    private Map<String, CheckpointTopic.StoredSession> stored = new HashMap<>();
    /** Per partition, the offset after the last record handled: what a commit would record. */
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final AtomicLong segmented = new AtomicLong();
    private final AtomicLong globalFragments = new AtomicLong();
    private final AtomicLong skippedFrames = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean halted;
    private volatile Throwable failure;
    private volatile long busyNanos;
    private boolean closing;
    private boolean rewound;
    private boolean inTransaction;
    private int segmentedSinceCommit;
    private long lastCommitNanos = System.nanoTime();

    /**
     * @param group        consumer group: {@link #GROUP} for the long-running service, a per-run group
     *                     for a one-off {@code track}
     * @param startOffsets where to start reading frame partitions that have no committed offset for
     *                     the group (empty: from the beginning)
     */
    public SegmenterService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets,
                            SegmentationSettings segmentation, WarmUp warmUp) {
        this(settings, group, startOffsets, segmentation, warmUp, OnlineSettings.defaults(), Transactions.defaults());
    }

    public SegmenterService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets,
                            SegmentationSettings segmentation, WarmUp warmUp, OnlineSettings online,
                            Transactions transactions) {
        this.settings = settings;
        this.segmentation = segmentation;
        this.warmUp = warmUp;
        this.online = online;
        this.transactions = transactions;
        this.startOffsets = Map.copyOf(startOffsets);
        this.consumer = new KafkaConsumer<>(settings.consumer(group, "segmenter"), new StringDeserializer(),
                Serdes.FRAME.deserializer());
        Properties p = settings.producer("segmenter");
        if (transactions.exactlyOnce()) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-" + transactions.instance());
        }
        this.producer = new KafkaProducer<>(p, new StringSerializer(), Serdes.ANY_MESSAGE);
    }

    @Override
    public void run() {
        try {
            if (transactions.exactlyOnce()) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(Topics.FRAMES), new Rebalances());
            while (running) {
                ConsumerRecords<String, Frame> records = consumer.poll(Duration.ofMillis(200));
                rewound = false;
                for (ConsumerRecord<String, Frame> record : records) {
                    if (!running || rewound) {
                        break;
                    }
                    long start = System.nanoTime();
                    handle(record);
                    busyNanos += System.nanoTime() - start;
                }
                if (running && transactions.everyMillis() > 0
                        && System.nanoTime() - lastCommitNanos >= transactions.everyMillis() * 1_000_000) {
                    commit();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
        }
        try {
            if (!halted && failure == null) {
                commit();
            } else if (!halted && inTransaction) {
                producer.abortTransaction();
            }
        } catch (Throwable e) {
            failure = failure == null ? e : failure;
        } finally {
            closing = true;
            sessions.values().forEach(s -> s.segmenter.close());
            try {
                consumer.close(Duration.ofSeconds(5));
            } finally {
                // A halt leaves the open transaction to be aborted by the next instance, as a crash would.
                producer.close(halted ? Duration.ZERO : Duration.ofSeconds(5));
                stopped.countDown();
            }
        }
    }

    private void handle(ConsumerRecord<String, Frame> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        nextOffsets.put(partition, record.offset() + 1);
        Frame frame = record.value();
        if (frame == null || finished.contains(frame.getSession())) {
            return;
        }
        Session session = sessions.get(frame.getSession());
        if (session == null) {
            session = open(partition, record.offset(), frame);
            if (session == null) {
                return;
            }
        }
        // A stopped live source ends its session with a last frame that has no image.
        boolean endMarker = frame.getLast() && frame.getPixels().isEmpty();
        if (!session.segmenter.ready()) {
            session.warmUpFrames++;
            boolean done = session.segmenter.warmUpWith(frame.getIndex(),
                    endMarker ? null : frame.getPixels().toByteArray(), frame.getLast());
            if (done && !session.segmenter.live()) {
                consumer.seek(partition, session.firstOffset);
                nextOffsets.put(partition, session.firstOffset);
                rewound = true;
                return;
            }
            if (done) {
                long skipped = frame.getLast() ? session.warmUpFrames - 1 : session.warmUpFrames;
                skippedFrames.addAndGet(skipped);
                if (online.newestAfterWarmUp() && !frame.getLast()) {
                    // Records below the newest one now on the partition are passed over (this session's only).
                    session.resumeOffset = consumer.endOffsets(List.of(partition)).get(partition) - 1;
                }
                LOG.info("session {}: warm-up done at frame {}; live, so segmenting goes on from the newest frames:"
                        + " the {} frames of the warm-up are not segmented{}", frame.getSession(), frame.getIndex(),
                        skipped, session.resumeOffset > record.offset() + 1 ? ", nor the "
                                + (session.resumeOffset - record.offset() - 1) + " records behind the newest" : "");
            }
            // Only the session's last frame goes on: its end must go downstream.
            if (!frame.getLast() || !(session.segmenter.ready() || endMarker)) {
                return;
            }
        }
        if (frame.getIndex() < session.segmenter.nextIndex()) {
            return;
        }
        if (record.offset() < session.resumeOffset && !frame.getLast()) {
            skippedFrames.incrementAndGet();
            return;
        }
        SessionSegmenter.SegmentedFrame out = endMarker ? session.segmenter.end(frame.getIndex())
                : session.segmenter.segment(frame.getIndex(), frame.getPixels().asReadOnlyByteBuffer());
        begin();
        producer.send(new ProducerRecord<>(Topics.BLOBS, frame.getSession(), blobsOf(frame, out)));
        segmented.incrementAndGet();
        for (GlobalFragmentBuilder.Global global : session.segmenter.globalFragments(out, frame.getLast())) {
            producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, frame.getSession(),
                    // The session's crop size, not this frame's: a live source's end marker has no crops.
                    globalFragmentOf(frame, global, warmUp.cropSize())));
            globalFragments.incrementAndGet();
        }
        session.dirty = true;
        segmentedSinceCommit++;
        if (frame.getLast()) {
            producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, frame.getSession(), GlobalFragment.newBuilder()
                    .setSession(frame.getSession()).setId(-1).setLastFrame(frame.getIndex())
                    .setCaptureTimeNs(frame.getCaptureTimeNs()).setLast(true).build()));
            session.finished = true;
        }
        if (frame.getLast() || segmentedSinceCommit >= transactions.everyFrames()) {
            commit();
        }
    }

    /**
     * The session of a frame seen for the first time: resumed from its checkpoint, or new (its
     * warm-up starts at this frame); null when its checkpoint says it is finished.
     */
    private Session open(TopicPartition partition, long offset, Frame frame) {
        CheckpointTopic.StoredSession saved = stored.remove(frame.getSession());
        if (saved != null && saved.checkpoint().getFinished()) {
            finished.add(frame.getSession());
            return null;
        }
        Session session;
        if (saved != null) {
            SessionSegmenter segmenter = SessionSegmenter.restore(saved.checkpoint(), saved.background(), saved::crop,
                    frame.getFps(), frame.getFrameCount(), segmentation, warmUp, online);
            session = new Session(partition, offset, segmenter);
            session.writtenBackground = segmenter.backgroundVersion();
            segmenter.forEachKeptCrop((f, o, pixels) -> session.writtenCrops.add(
                    CheckpointTopic.cropKey(frame.getSession(), f, o)));
        } else {
            session = new Session(partition, offset, new SessionSegmenter(frame.getWidth(), frame.getHeight(),
                    frame.getFps(), frame.getFrameCount(), frame.getIndex(), segmentation, warmUp, online));
        }
        sessions.put(frame.getSession(), session);
        return session;
    }

    private void begin() {
        if (!inTransaction && transactions.exactlyOnce()) {
            producer.beginTransaction();
            inTransaction = true;
        }
    }

    /**
     * Commits the open transaction with the checkpoints of the sessions that progressed and the
     * offsets handled so far, held back to the first frame of any session still warming up.
     */
    private void commit() {
        Map<TopicPartition, Long> offsets = new HashMap<>(nextOffsets);
        for (Session session : sessions.values()) {
            if (!session.segmenter.ready() && !session.finished) {
                offsets.merge(session.partition, session.firstOffset, Math::min);
            }
        }
        offsets.entrySet().removeIf(e -> e.getValue().equals(committed.get(e.getKey())));
        boolean dirty = sessions.values().stream().anyMatch(s -> s.dirty);
        if (!inTransaction && offsets.isEmpty() && !dirty) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commitOffsets = new HashMap<>();
        offsets.forEach((partition, offset) -> commitOffsets.put(partition, new OffsetAndMetadata(offset)));
        if (transactions.exactlyOnce()) {
            begin();
            for (Map.Entry<String, Session> entry : sessions.entrySet()) {
                if (entry.getValue().dirty) {
                    writeCheckpoint(entry.getKey(), entry.getValue());
                }
            }
            producer.sendOffsetsToTransaction(commitOffsets, consumer.groupMetadata());
            producer.commitTransaction();
            inTransaction = false;
        } else {
            sessions.values().forEach(session -> session.dirty = false);
            if (!commitOffsets.isEmpty()) {
                consumer.commitAsync(commitOffsets, null);
            }
        }
        committed.putAll(offsets);
        segmentedSinceCommit = 0;
        lastCommitNanos = System.nanoTime();
        sessions.entrySet().removeIf(entry -> {
            if (entry.getValue().finished) {
                entry.getValue().segmenter.close();
                finished.add(entry.getKey());
                return true;
            }
            return false;
        });
    }

    /** Sends a session's checkpoint, its background if it changed, its new crops and deletes the let-go ones. */
    private void writeCheckpoint(String id, Session session) {
        SessionSegmenter segmenter = session.segmenter;
        if (session.finished) {
            send(CheckpointTopic.backgroundKey(id), null);
            session.writtenCrops.forEach(key -> send(key, null));
            send(CheckpointTopic.stateKey(id), SessionCheckpoint.newBuilder().setSession(id).setFinished(true)
                    .setNextIndex(segmenter.nextIndex()).build());
            session.dirty = false;
            return;
        }
        if (segmenter.backgroundVersion() != session.writtenBackground) {
            send(CheckpointTopic.backgroundKey(id), StoredImage.newBuilder()
                    .setPixels(UnsafeByteOperations.unsafeWrap(segmenter.background())).build());
            session.writtenBackground = segmenter.backgroundVersion();
        }
        Set<String> kept = new HashSet<>();
        segmenter.forEachKeptCrop((fragment, ordinal, pixels) -> {
            String key = CheckpointTopic.cropKey(id, fragment, ordinal);
            kept.add(key);
            if (!session.writtenCrops.contains(key)) {
                send(key, StoredImage.newBuilder().setPixels(UnsafeByteOperations.unsafeWrap(pixels)).build());
            }
        });
        session.writtenCrops.stream().filter(key -> !kept.contains(key)).forEach(key -> send(key, null));
        session.writtenCrops.clear();
        session.writtenCrops.addAll(kept);
        send(CheckpointTopic.stateKey(id), segmenter.checkpoint(id));
        session.dirty = false;
    }

    private void send(String key, Message value) {
        producer.send(new ProducerRecord<>(Topics.SEGMENTER_STATE, key, value));
    }

    /**
     * Commits what is in hand before partitions go, and starts assigned partitions from their
     * committed offsets with the checkpoints stored for them.
     */
    private final class Rebalances implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (closing || halted) {
                return;
            }
            commit();
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (closing || halted) {
                return;
            }
            // Another instance owns them now: what is in hand for them must not be committed.
            if (inTransaction) {
                producer.abortTransaction();
                inTransaction = false;
            }
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<String, CheckpointTopic.StoredSession> loaded = transactions.exactlyOnce()
                    ? new HashMap<>(CheckpointTopic.load(settings)) : new HashMap<>();
            loaded.keySet().removeAll(sessions.keySet());
            stored = loaded;
            Map<TopicPartition, OffsetAndMetadata> offsets = consumer.committed(Set.copyOf(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = offsets.get(partition);
                Long start = startOffsets.get(partition);
                if (offset != null) {
                    consumer.seek(partition, offset.offset());
                    committed.put(partition, offset.offset());
                } else if (start != null) {
                    consumer.seek(partition, start);
                }
            }
        }

        private void drop(Collection<TopicPartition> partitions) {
            sessions.entrySet().removeIf(entry -> {
                if (partitions.contains(entry.getValue().partition)) {
                    entry.getValue().segmenter.close();
                    return true;
                }
                return false;
            });
            partitions.forEach(p -> {
                nextOffsets.remove(p);
                committed.remove(p);
            });
        }
    }

    private static FrameBlobs blobsOf(Frame frame, SessionSegmenter.SegmentedFrame segmented) {
        FrameBlobs.Builder out = FrameBlobs.newBuilder()
                .setSession(frame.getSession())
                .setIndex(frame.getIndex())
                .setCaptureTimeNs(frame.getCaptureTimeNs())
                .setWallTimeNs(frame.getWallTimeNs())
                .setMediaTimeS(frame.getMediaTimeS())
                .setLast(frame.getLast())
                .setSegmentNs(segmented.segmentNanos());
        List<DetectedBlob> detected = segmented.blobs();
        for (int i = 0; i < detected.size(); i++) {
            DetectedBlob b = detected.get(i);
            Blob.Builder blob = out.addBlobsBuilder()
                    .setX(b.x())
                    .setY(b.y())
                    .setArea(b.area())
                    .setBbox(BoundingBox.newBuilder().setLeft(b.left()).setTop(b.top())
                            .setWidth(b.width()).setHeight(b.height()))
                    .setOrientation(b.orientation())
                    .setElongation(b.elongation())
                    .setKind(segmented.crossing()[i] ? BlobKind.CROSSING : BlobKind.INDIVIDUAL)
                    .setFragment(segmented.fragments()[i]);
            if (segmented.crops()[i] != null) {
                blob.setCrop(UnsafeByteOperations.unsafeWrap(segmented.crops()[i])).setCropSize(segmented.cropSize());
            }
        }
        return out.build();
    }

    private static GlobalFragment globalFragmentOf(Frame frame, GlobalFragmentBuilder.Global global, int cropSize) {
        GlobalFragment.Builder record = GlobalFragment.newBuilder().setSession(frame.getSession())
                .setId(global.id()).setFirstFrame(global.firstFrame()).setLastFrame(global.lastFrame())
                .setCaptureTimeNs(frame.getCaptureTimeNs());
        for (GlobalFragmentBuilder.Fragment f : global.fragments()) {
            IndividualFragment.Builder member = record.addFragmentsBuilder().setId(f.id())
                    .setFirstFrame(f.firstFrame()).setLastFrame(f.lastFrame()).setCropSize(cropSize);
            f.crops().forEach(c -> member.addCrops(UnsafeByteOperations.unsafeWrap(c)));
        }
        return record.build();
    }

    /** Global fragments published so far, all sessions together. */
    public long globalFragmentsPublished() {
        return globalFragments.get();
    }

    /** Frames segmented and published so far, all sessions together (warm-up reads not counted). */
    public long framesSegmented() {
        return segmented.get();
    }

    /**
     * Frames of live sessions never segmented, all sessions together: those of their warm-ups (read for
     * the background) and, with {@link OnlineSettings#newestAfterWarmUp()}, those behind the newest
     * when the warm-up ended.
     */
    public long framesSkipped() {
        return skippedFrames.get();
    }

    @Override
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /**
     * Stops at once as a crash would: nothing more is committed, the open transaction is left for the
     * next instance of the same name to abort. The consumer still leaves its group, so the partitions
     * move without waiting for the group's session timeout.
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

    @Override
    public long busyNanos() {
        return busyNanos;
    }

    /** A session in hand: where it starts on its partition (to rewind after the warm-up) and what is stored of it. */
    private static final class Session {
        private final TopicPartition partition;
        private final long firstOffset;
        private final SessionSegmenter segmenter;
        private final Set<String> writtenCrops = new HashSet<>();
        private long writtenBackground;
        private long warmUpFrames;
        /** A live session passes over its frames below this offset (set once, at the end of its warm-up). */
        private long resumeOffset = -1;
        private boolean dirty;
        private boolean finished;

        Session(TopicPartition partition, long firstOffset, SessionSegmenter segmenter) {
            this.partition = partition;
            this.firstOffset = firstOffset;
            this.segmenter = segmenter;
        }
    }
}
