package dev.shoal.segmenter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one session (one video or camera) needs, in the order frames need it: a warm-up over
 * the start of the session builds the background and learns the single-animal area range; then each
 * frame is segmented, its blobs linked into fragments, its individual blobs cropped, and global
 * fragments completed. No Kafka: the service and offline tools drive the same class.
 */
public final class SessionSegmenter implements AutoCloseable {

    /** One frame's blobs with their fragment, crossing flag and crop (null for crossings or with crops off). */
    public record SegmentedFrame(long index, List<DetectedBlob> blobs, long[] fragments, boolean[] crossing,
                                 byte[][] crops, int cropSize, long segmentNanos) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SessionSegmenter.class);
    /** Warm-up of a whole-session background when the session's length is unknown (live). */
    private static final double WHOLE_SESSION_FALLBACK_SECONDS = 60;

    private final int width;
    private final int height;
    private final SegmentationSettings segmentation;
    private final WarmUp warmUp;
    private final BackgroundModel background;
    private final long firstIndex;
    private final long warmUpFrames;
    private final long stride;
    private BlobDetector detector;
    private FragmentLinker linker;
    private byte[] backgroundImage;
    private IdentificationCropper cropper;
    private GlobalFragmentBuilder globals;
    private long lastWarmUpIndex = -1;

    /**
     * @param fps        the session's frame rate (30 assumed when unknown, 0)
     * @param frameCount frames in the session when known (a file), else 0 or less
     * @param firstIndex index of the session's first frame
     */
    public SessionSegmenter(int width, int height, double fps, long frameCount, long firstIndex,
                            SegmentationSettings segmentation, WarmUp warmUp) {
        this.width = width;
        this.height = height;
        this.segmentation = segmentation;
        this.warmUp = warmUp;
        this.firstIndex = firstIndex;
        this.background = new BackgroundModel(width, height, warmUp.samples());
        double seconds = warmUp.seconds() > 0 ? warmUp.seconds() : WHOLE_SESSION_FALLBACK_SECONDS;
        long window = Math.max(1, Math.round(seconds * (fps > 0 ? fps : 30)));
        boolean whole = warmUp.seconds() <= 0 && frameCount > 0;
        this.warmUpFrames = whole ? frameCount : frameCount > 0 ? Math.min(window, frameCount) : window;
        this.stride = Math.max(1, warmUpFrames / warmUp.samples());
    }

    /** True once the warm-up has built the background: frames may be segmented. */
    public boolean ready() {
        return detector != null;
    }

    /** Index of the session's first frame, where segmentation starts again after the warm-up. */
    public long firstIndex() {
        return firstIndex;
    }

    /**
     * Samples a warm-up frame; true when this frame completed the warm-up (at the end of the window or
     * on the session's last frame). A frame seen again (after a rewind) is not sampled twice.
     */
    public boolean warmUpWith(long index, byte[] gray, boolean last) {
        if (ready() || index <= lastWarmUpIndex) {
            return false;
        }
        lastWarmUpIndex = index;
        long offsetInWindow = index - firstIndex;
        if (offsetInWindow % stride == 0) {
            background.add(gray);
        }
        if (offsetInWindow + 1 >= warmUpFrames || last) {
            backgroundImage = background.percentile(backgroundPercentile(segmentation.polarity()));
            SegmentationSettings settings = learnAreas();
            detector = new BlobDetector(width, height, backgroundImage, settings);
            linker = new FragmentLinker(settings.maxArea(), warmUp.animals());
            return true;
        }
        return false;
    }

    /**
     * Which per-pixel percentile of the samples is the background: the median when animals may be
     * either side of it, else one on the background's side of the animals, so that animals present in
     * up to 80% of the samples at one spot (resting) do not become background.
     */
    static double backgroundPercentile(Polarity polarity) {
        return switch (polarity) {
            case DARK_ON_LIGHT -> 0.8;
            case LIGHT_ON_DARK -> 0.2;
            case ANY -> 0.5;
        };
    }

    /** The given settings, or with the area range learnt from the warm-up samples when asked and possible. */
    private SegmentationSettings learnAreas() {
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
        // The given min area stays a floor: below it is noise whatever the animals' size.
        return new SegmentationSettings(segmentation.polarity(), segmentation.threshold(),
                Math.max(segmentation.minArea(), range.min()), Math.max(segmentation.minArea(), range.max()),
                segmentation.openingRadius());
    }

    /** Segments, links and crops one frame; frames must come in index order after the warm-up. */
    public SegmentedFrame segment(long index, ByteBuffer gray) {
        if (!ready()) {
            throw new IllegalStateException("frame " + index + " segmented before the warm-up built a background");
        }
        long start = System.nanoTime();
        Segmentation segmentation = detector.segment(gray);
        FragmentLinker.Links links = linker.link(segmentation);
        IdentificationCropper crops = cropperFor(segmentation, links);
        List<DetectedBlob> blobs = segmentation.blobs();
        byte[][] cropped = new byte[blobs.size()][];
        if (crops != null) {
            for (int i = 0; i < blobs.size(); i++) {
                if (!links.crossing()[i]) {
                    cropped[i] = crops.crop(detector, blobs.get(i));
                }
            }
        }
        return new SegmentedFrame(index, blobs, links.fragments(), links.crossing(), cropped,
                crops == null ? 0 : crops.size(), System.nanoTime() - start);
    }

    /**
     * The session's cropper, made at the first frame with single animals in view, scaled to their
     * median body length; null while there is none or crops are off.
     */
    private IdentificationCropper cropperFor(Segmentation segmentation, FragmentLinker.Links links) {
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
            cropper = new IdentificationCropper(width, height, backgroundImage, warmUp.cropSize(), lengths[n / 2]);
        }
        return cropper;
    }

    /**
     * Global fragments completed by this frame (all pending ones when {@code last}); none unless the
     * number of animals is known and crops are cut.
     */
    public List<GlobalFragmentBuilder.Global> globalFragments(SegmentedFrame frame, boolean last) {
        if (warmUp.animals() < 1 || warmUp.cropSize() == 0) {
            return List.of();
        }
        if (globals == null) {
            // Records stay well under the topic's limit whatever the number of animals.
            long budget = 8L * 1024 * 1024 / ((long) warmUp.animals() * warmUp.cropSize() * warmUp.cropSize());
            globals = new GlobalFragmentBuilder(warmUp.animals(), (int) Math.max(4, Math.min(64, budget)));
        }
        List<GlobalFragmentBuilder.Global> done = new ArrayList<>(
                globals.frame(frame.index(), frame.fragments(), frame.crossing(), frame.crops()));
        if (last) {
            done.addAll(globals.finish());
        }
        return done;
    }

    @Override
    public void close() {
        if (detector != null) {
            detector.close();
        }
        if (cropper != null) {
            cropper.close();
        }
    }
}
