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
import dev.shoal.core.proto.IdentityCorrection;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.Track;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
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
 */
public final class IdentificationService implements PipelineService {

    private static final Logger LOG = LoggerFactory.getLogger(IdentificationService.class);
    public static final String GROUP = "shoal-identifier";
    private static final Duration IDLE_POLL = Duration.ofMillis(200);

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

        /** Flush at 64 crops or 2 ms; the whole session is re-scored by a new model. */
        public static Options defaults(int animals, int cropSize) {
            return new Options(animals, cropSize, 64, DEFAULT_MAX_DELAY, Long.MAX_VALUE,
                    IdentityScorer.Options.defaults(), FragmentIdentityAssigner.Options.defaults());
        }
    }

    /** What the service knows of one session. */
    private final class Session {
        final String id;
        final FragmentIdentityAssigner assigner;
        final NavigableMap<Long, Long> offsetOfFrame = new TreeMap<>();
        TopicPartition partition;
        IdentityScorer scorer;
        long lastFrame = -1;
        boolean lastFrameSeen;
        boolean finalRelease;
        boolean finished;

        Session(String id) {
            this.id = id;
            this.assigner = new FragmentIdentityAssigner(options.animals(), options.assignment());
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

    /** @param startOffsets as for {@code ConsumingService}: where partitions without a committed offset start */
    public IdentificationService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets,
                                 Options options) {
        this.settings = settings;
        this.options = options;
        this.startOffsets = Map.copyOf(startOffsets);
        this.consumer = new KafkaConsumer<>(settings.consumer(group, "identifier"), new StringDeserializer(),
                byTopic());
        this.producer = new KafkaProducer<>(settings.producer("identifier"), new StringSerializer(), Serdes.ANY_MESSAGE);
    }

    private static Deserializer<Message> byTopic() {
        return (topic, data) -> data == null ? null : Topics.MODELS.equals(topic)
                ? Serdes.MODEL_RELEASE.deserializer().deserialize(topic, data)
                : Serdes.FRAME_BLOBS.deserializer().deserialize(topic, data);
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.BLOBS, Topics.MODELS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
                    for (TopicPartition partition : partitions) {
                        Long start = startOffsets.get(partition);
                        if (start != null && committed.get(partition) == null) {
                            consumer.seek(partition, start);
                        }
                    }
                }
            });
            while (running) {
                ConsumerRecords<String, Message> records = consumer.poll(pollTimeout());
                long start = System.nanoTime();
                for (ConsumerRecord<String, Message> record : records) {
                    if (record.value() instanceof ModelRelease release) {
                        onRelease(release);
                    } else if (record.value() instanceof FrameBlobs blobs) {
                        onFrame(blobs, new TopicPartition(record.topic(), record.partition()), record.offset());
                    }
                }
                if (!pendingFrames.isEmpty() && System.nanoTime() - deadlineNanos >= 0) {
                    flush();
                }
                if (pendingFrames.isEmpty() && !records.isEmpty()) {
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
        } finally {
            try {
                producer.close();
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

    private Session session(String id) {
        return sessions.computeIfAbsent(id, Session::new);
    }

    private void onRelease(ModelRelease release) {
        Session session = session(release.getSession());
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

    private void onFrame(FrameBlobs blobs, TopicPartition partition, long offset) {
        Session session = session(blobs.getSession());
        if (session.finished || blobs.getIndex() <= session.lastFrame) {
            return;
        }
        session.partition = partition;
        session.offsetOfFrame.put(blobs.getIndex(), offset);
        session.lastFrame = blobs.getIndex();
        if (session.scorer == null) {
            session.assigner.recordProvisional(blobs.getIndex(), individualFragments(blobs));
            producer.send(new ProducerRecord<>(Topics.TRACKS, session.id, provisionalTracks(blobs)));
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
        producer.send(new ProducerRecord<>(Topics.TRACKS, session.id, out.build()));
        framesPublished++;
        publishCorrections(session, assignment.corrections());
        endOfFrame(session, blobs);
    }

    private static long saturatedSubtract(long a, long b) {
        return b >= a ? Long.MIN_VALUE : a - b;
    }

    private void endOfFrame(Session session, FrameBlobs blobs) {
        session.assigner.forgetClosedBefore(saturatedSubtract(blobs.getIndex(), options.windowFrames()));
        session.offsetOfFrame.headMap(Math.max(0, session.assigner.windowFirstFrame()), false).clear();
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
        producer.send(new ProducerRecord<>(Topics.IDENTITY_CORRECTIONS, session.id, IdentityCorrection.newBuilder()
                .setSession(session.id).setModelVersion(session.modelVersion()).setLast(true).build()));
        producer.flush();
        session.finished = true;
        LOG.info("session {}: final under model v{}", session.id, session.modelVersion());
    }

    /** Re-reads the window's frames from the blobs topic, scores its fragments' crops, publishes corrections. */
    private void rescore(Session session) {
        long first = session.assigner.windowFirstFrame();
        if (first < 0 || session.partition == null) {
            return;
        }
        Long from = session.offsetOfFrame.ceilingKey(first) == null ? null
                : session.offsetOfFrame.get(session.offsetOfFrame.ceilingKey(first));
        long to = session.offsetOfFrame.lastEntry().getValue();
        session.assigner.beginRescore();
        List<PendingCrop> batch = new ArrayList<>();
        try (Consumer<String, FrameBlobs> reader = new KafkaConsumer<>(
                settings.consumer("shoal-identifier-rescore", "identifier-rescore"), new StringDeserializer(),
                Serdes.FRAME_BLOBS.deserializer())) {
            reader.assign(List.of(session.partition));
            reader.seek(session.partition, from == null ? 0 : from);
            long position = from == null ? 0 : from;
            while (position <= to && running) {
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
            producer.send(new ProducerRecord<>(Topics.IDENTITY_CORRECTIONS, session.id, IdentityCorrection.newBuilder()
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

    @Override
    public void stop() {
        running = false;
        consumer.wakeup();
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

    @Override
    public long busyNanos() {
        return busyNanos;
    }
}
