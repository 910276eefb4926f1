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
import java.util.ArrayList;
import java.util.Arrays;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segmenter as a service: consumes {@code shoal.frames.v1}, publishes one {@code FrameBlobs} per
 * frame on {@code shoal.blobs.v1}. Each session first reads a warm-up window to build its background,
 * then rewinds to its first frame and segments from there, so no frame is held in memory to wait.
 */
public final class SegmenterService extends ConsumingService<Frame> {

    public static final String GROUP = "shoal-segmenter";
    private static final Logger LOG = LoggerFactory.getLogger(SegmenterService.class);

    private final SegmentationSettings segmentation;
    private final WarmUp warmUp;
    private final Producer<String, Message> producer;
    private final Map<String, SessionSegmenter> sessions = new HashMap<>();
    private final Set<String> finished = new HashSet<>();
    private final AtomicLong segmented = new AtomicLong();
    private final AtomicLong globalFragments = new AtomicLong();

    /**
     * How much of the start of a session the background is built from, the side of the
     * identification crops (0 for none), and the number of animals (0 if unknown). With a number of
     * animals and {@code learnAreas}, the single-animal area range is learnt from the warm-up samples
     * that show exactly that many blobs, replacing the given min and max area.
     */
    public record WarmUp(double seconds, int samples, int cropSize, int animals, boolean learnAreas) {
    }

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
        SessionSegmenter session = sessions.computeIfAbsent(frame.getSession(),
                s -> new SessionSegmenter(new TopicPartition(record.topic(), record.partition()), record.offset(), frame));
        if (!session.hasBackground()) {
            if (session.warmUpWith(frame)) {
                rewind(session.partition, session.firstOffset);
            }
            return;
        }
        if (frame.getIndex() < session.nextIndex) {
            return;
        }
        FrameBlobs blobs = session.segment(frame);
        producer.send(new ProducerRecord<>(Topics.BLOBS, frame.getSession(), blobs));
        segmented.incrementAndGet();
        for (GlobalFragment global : session.globalFragments(blobs)) {
            producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, frame.getSession(), global));
            globalFragments.incrementAndGet();
        }
        if (frame.getLast()) {
            producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, frame.getSession(), GlobalFragment.newBuilder()
                    .setSession(frame.getSession()).setId(-1).setLastFrame(frame.getIndex())
                    .setCaptureTimeNs(frame.getCaptureTimeNs()).setLast(true).build()));
            sessions.remove(frame.getSession());
            finished.add(frame.getSession());
            producer.flush();
        }
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
        producer.close();
    }

    /** One session's background, detector and fragment linker. */
    private final class SessionSegmenter {
        private final TopicPartition partition;
        private final long firstOffset;
        private final BackgroundModel background;
        private final long warmUpFrames;
        private final long stride;
        private BlobDetector detector;
        private FragmentLinker linker;
        private byte[] backgroundImage;
        private IdentificationCropper cropper;
        private GlobalFragmentBuilder globals;
        private long nextIndex;
        private long lastWarmUpIndex = -1;

        SessionSegmenter(TopicPartition partition, long firstOffset, Frame first) {
            this.partition = partition;
            this.firstOffset = firstOffset;
            this.background = new BackgroundModel(first.getWidth(), first.getHeight(), warmUp.samples());
            double fps = first.getFps() > 0 ? first.getFps() : 30;
            long window = Math.max(1, Math.round(warmUp.seconds() * fps));
            this.warmUpFrames = first.getFrameCount() > 0 ? Math.min(window, first.getFrameCount()) : window;
            this.stride = Math.max(1, warmUpFrames / warmUp.samples());
            this.nextIndex = first.getIndex();
        }

        boolean hasBackground() {
            return detector != null;
        }

        /**
         * Samples a warm-up frame; true when the background is ready and the session must rewind.
         * Frames seen again after another session's rewind are not sampled twice.
         */
        boolean warmUpWith(Frame frame) {
            if (frame.getIndex() <= lastWarmUpIndex) {
                return false;
            }
            lastWarmUpIndex = frame.getIndex();
            long offsetInWindow = frame.getIndex() - nextIndex;
            if (offsetInWindow % stride == 0) {
                background.add(frame.getPixels().toByteArray());
            }
            if (offsetInWindow + 1 >= warmUpFrames || frame.getLast()) {
                backgroundImage = background.median();
                SegmentationSettings settings = learnAreas(frame.getWidth(), frame.getHeight());
                detector = new BlobDetector(frame.getWidth(), frame.getHeight(), backgroundImage, settings);
                linker = new FragmentLinker(settings.maxArea());
                return true;
            }
            return false;
        }

        /** The given settings, or with the area range learnt from the warm-up samples when asked and possible. */
        private SegmentationSettings learnAreas(int width, int height) {
            if (!warmUp.learnAreas() || warmUp.animals() < 1) {
                return segmentation;
            }
            AreaRangeLearner learner = new AreaRangeLearner(warmUp.animals(), 1);
            try (BlobDetector permissive = new BlobDetector(width, height, backgroundImage, segmentation)) {
                for (int i = 0; i < background.samples(); i++) {
                    learner.offer(permissive.segment(background.sample(i)).blobs());
                }
            }
            if (learner.frames() == 0) {
                LOG.warn("no warm-up frame shows exactly {} blobs; keeping the area range {}..{} px",
                        warmUp.animals(), segmentation.minArea(), segmentation.maxArea());
                return segmentation;
            }
            AreaRangeLearner.AreaRange range = learner.range();
            LOG.info("single-animal area learnt from {} frames: median {} px, range {}..{} px", learner.frames(),
                    range.median(), range.min(), range.max());
            return new SegmentationSettings(segmentation.polarity(), segmentation.threshold(), range.min(),
                    range.max(), segmentation.openingRadius());
        }

        /**
         * The session's cropper, made at the first frame with single animals in view, scaled to
         * their median body length; null while there is none or crops are off.
         */
        private IdentificationCropper cropperFor(Frame frame, Segmentation segmentation, FragmentLinker.Links links) {
            if (warmUp.cropSize() == 0) {
                return null;
            }
            if (cropper == null) {
                double[] lengths = new double[segmentation.blobs().size()];
                int n = 0;
                for (int i = 0; i < lengths.length; i++) {
                    if (!links.crossing()[i]) {
                        lengths[n++] = IdentificationCropper.bodyLength(segmentation.blobs().get(i));
                    }
                }
                if (n == 0) {
                    return null;
                }
                Arrays.sort(lengths, 0, n);
                cropper = new IdentificationCropper(frame.getWidth(), frame.getHeight(), backgroundImage,
                        warmUp.cropSize(), lengths[n / 2]);
            }
            return cropper;
        }

        /**
         * Global fragments completed by this frame (all pending ones on the last frame); none unless
         * the number of animals is known and crops are cut.
         */
        List<GlobalFragment> globalFragments(FrameBlobs blobs) {
            if (warmUp.animals() < 1 || warmUp.cropSize() == 0) {
                return List.of();
            }
            if (globals == null) {
                // Records stay well under the topic's limit whatever the number of animals.
                long budget = 8L * 1024 * 1024 / ((long) warmUp.animals() * warmUp.cropSize() * warmUp.cropSize());
                globals = new GlobalFragmentBuilder(warmUp.animals(), (int) Math.max(4, Math.min(64, budget)));
            }
            int n = blobs.getBlobsCount();
            long[] fragments = new long[n];
            boolean[] crossing = new boolean[n];
            byte[][] crops = new byte[n][];
            for (int i = 0; i < n; i++) {
                Blob b = blobs.getBlobs(i);
                fragments[i] = b.getFragment();
                crossing[i] = b.getKind() == BlobKind.CROSSING;
                crops[i] = b.getCrop().isEmpty() ? null : b.getCrop().toByteArray();
            }
            List<GlobalFragmentBuilder.Global> done = new ArrayList<>(
                    globals.frame(blobs.getIndex(), fragments, crossing, crops));
            if (blobs.getLast()) {
                done.addAll(globals.finish());
            }
            List<GlobalFragment> out = new ArrayList<>(done.size());
            for (GlobalFragmentBuilder.Global g : done) {
                GlobalFragment.Builder record = GlobalFragment.newBuilder().setSession(blobs.getSession())
                        .setId(g.id()).setFirstFrame(g.firstFrame()).setLastFrame(g.lastFrame())
                        .setCaptureTimeNs(blobs.getCaptureTimeNs());
                for (GlobalFragmentBuilder.Fragment f : g.fragments()) {
                    IndividualFragment.Builder member = record.addFragmentsBuilder().setId(f.id())
                            .setFirstFrame(f.firstFrame()).setLastFrame(f.lastFrame()).setCropSize(warmUp.cropSize());
                    f.crops().forEach(c -> member.addCrops(UnsafeByteOperations.unsafeWrap(c)));
                }
                out.add(record.build());
            }
            return out;
        }

        FrameBlobs segment(Frame frame) {
            long start = System.nanoTime();
            Segmentation segmentation = detector.segment(frame.getPixels().asReadOnlyByteBuffer());
            FragmentLinker.Links links = linker.link(segmentation);
            IdentificationCropper crops = cropperFor(frame, segmentation, links);
            FrameBlobs.Builder out = FrameBlobs.newBuilder()
                    .setSession(frame.getSession())
                    .setIndex(frame.getIndex())
                    .setCaptureTimeNs(frame.getCaptureTimeNs())
                    .setWallTimeNs(frame.getWallTimeNs())
                    .setMediaTimeS(frame.getMediaTimeS())
                    .setLast(frame.getLast());
            List<DetectedBlob> detected = segmentation.blobs();
            for (int i = 0; i < detected.size(); i++) {
                DetectedBlob b = detected.get(i);
                out.addBlobs(Blob.newBuilder()
                        .setX(b.x())
                        .setY(b.y())
                        .setArea(b.area())
                        .setBbox(BoundingBox.newBuilder().setLeft(b.left()).setTop(b.top())
                                .setWidth(b.width()).setHeight(b.height()))
                        .setOrientation(b.orientation())
                        .setElongation(b.elongation())
                        .setKind(links.crossing()[i] ? BlobKind.CROSSING : BlobKind.INDIVIDUAL)
                        .setFragment(links.fragments()[i]));
                if (crops != null && !links.crossing()[i]) {
                    out.getBlobsBuilder(i).setCrop(UnsafeByteOperations.unsafeWrap(crops.crop(detector, b)))
                            .setCropSize(crops.size());
                }
            }
            nextIndex = frame.getIndex() + 1;
            return out.setSegmentNs(System.nanoTime() - start).build();
        }
    }
}
