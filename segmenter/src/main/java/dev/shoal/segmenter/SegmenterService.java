package dev.shoal.segmenter;

import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.BoundingBox;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The segmenter as a service: consumes {@code shoal.frames.v1}, publishes one {@code FrameBlobs} per
 * frame on {@code shoal.blobs.v1}. Each session first reads a warm-up window to build its background,
 * then rewinds to its first frame and segments from there, so no frame is held in memory to wait.
 */
public final class SegmenterService extends ConsumingService<Frame> {

    public static final String GROUP = "shoal-segmenter";

    private final SegmentationSettings segmentation;
    private final WarmUp warmUp;
    private final Producer<String, Message> producer;
    private final Map<String, SessionState> sessions = new HashMap<>();
    private final Set<String> finished = new HashSet<>();
    private final AtomicLong segmented = new AtomicLong();
    private final AtomicLong globalFragments = new AtomicLong();

    /**
     * @param group        consumer group: {@link #GROUP} for the long-running service, a per-run group
     *                     for a one-off {@code track}
     * @param startOffsets see {@link ConsumingService}
     */
    public SegmenterService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets,
                            SegmentationSettings segmentation, WarmUp warmUp) {
        super(settings, group, "segmenter", Topics.FRAMES, Serdes.FRAME.deserializer(), startOffsets);
        this.segmentation = segmentation;
        this.warmUp = warmUp;
        this.producer = new KafkaProducer<>(settings.producer("segmenter"), new StringSerializer(),
                Serdes.ANY_MESSAGE);
    }

    @Override
    protected void handle(ConsumerRecord<String, Frame> record) {
        Frame frame = record.value();
        if (finished.contains(frame.getSession())) {
            return;
        }
        SessionState session = sessions.computeIfAbsent(frame.getSession(), s -> new SessionState(
                new TopicPartition(record.topic(), record.partition()), record.offset(), new SessionSegmenter(
                        frame.getWidth(), frame.getHeight(), frame.getFps(), frame.getFrameCount(), frame.getIndex(),
                        segmentation, warmUp)));
        if (!session.segmenter.ready()) {
            if (session.segmenter.warmUpWith(frame.getIndex(), frame.getPixels().toByteArray(), frame.getLast())) {
                rewind(session.partition, session.firstOffset);
            }
            return;
        }
        if (frame.getIndex() < session.nextIndex) {
            return;
        }
        SessionSegmenter.SegmentedFrame segmented = session.segmenter.segment(frame.getIndex(),
                frame.getPixels().asReadOnlyByteBuffer());
        session.nextIndex = frame.getIndex() + 1;
        producer.send(new ProducerRecord<>(Topics.BLOBS, frame.getSession(), blobsOf(frame, segmented)));
        this.segmented.incrementAndGet();
        for (GlobalFragmentBuilder.Global global : session.segmenter.globalFragments(segmented, frame.getLast())) {
            producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, frame.getSession(),
                    globalFragmentOf(frame, global, segmented.cropSize())));
            globalFragments.incrementAndGet();
        }
        if (frame.getLast()) {
            producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, frame.getSession(), GlobalFragment.newBuilder()
                    .setSession(frame.getSession()).setId(-1).setLastFrame(frame.getIndex())
                    .setCaptureTimeNs(frame.getCaptureTimeNs()).setLast(true).build()));
            sessions.remove(frame.getSession()).segmenter.close();
            finished.add(frame.getSession());
            producer.flush();
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

    @Override
    protected void closeOutputs() {
        sessions.values().forEach(s -> s.segmenter.close());
        producer.close();
    }

    /** Where a session starts on its partition (to rewind there after the warm-up) and how far it got. */
    private static final class SessionState {
        private final TopicPartition partition;
        private final long firstOffset;
        private final SessionSegmenter segmenter;
        private long nextIndex;

        SessionState(TopicPartition partition, long firstOffset, SessionSegmenter segmenter) {
            this.partition = partition;
            this.firstOffset = firstOffset;
            this.segmenter = segmenter;
            this.nextIndex = segmenter.firstIndex();
        }
    }
}
