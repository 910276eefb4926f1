package dev.shoal.segmenter;

import dev.shoal.segmenter.proto.SessionCheckpoint;
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
 * fragments completed. A live session's background follows slow lighting drift. No Kafka: the
 * service and offline tools drive the same class; its state after any frame is a small checkpoint
 * (plus the background and the kept crops) from which {@link #restore} continues exactly.
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
    private final OnlineSettings online;
    private final boolean live;
    private final long firstIndex;
    private final long warmUpFrames;
    private final long stride;
    /** The warm-up samples; let go once the background is built. */
    private BackgroundModel background;
    private SegmentationSettings settings;
    private BlobDetector detector;
    private FragmentLinker linker;
    private IdentificationCropper cropper;
    private double bodyLength;
    private GlobalFragmentBuilder globals;
    private long lastWarmUpIndex = -1;
    private long nextIndex;
    private long backgroundVersion;

    /**
     * @param fps        the session's frame rate (30 assumed when unknown, 0)
     * @param frameCount frames in the session when known (a file), else 0 or less (live)
     * @param firstIndex index of the session's first frame
     */
    public SessionSegmenter(int width, int height, double fps, long frameCount, long firstIndex,
                            SegmentationSettings segmentation, WarmUp warmUp) {
        this(width, height, fps, frameCount, firstIndex, segmentation, warmUp, OnlineSettings.defaults());
    }

    /**
     * @param fps        the session's frame rate (30 assumed when unknown, 0)
     * @param frameCount frames in the session when known (a file), else 0 or less (live)
     * @param firstIndex index of the session's first frame
     */
    public SessionSegmenter(int width, int height, double fps, long frameCount, long firstIndex,
                            SegmentationSettings segmentation, WarmUp warmUp, OnlineSettings online) {
        this.width = width;
        this.height = height;
        this.segmentation = segmentation;
        this.warmUp = warmUp;
        this.online = online;
        this.live = frameCount <= 0;
        this.firstIndex = firstIndex;
        this.nextIndex = firstIndex;
        double seconds = warmUp.seconds() > 0 ? warmUp.seconds() : WHOLE_SESSION_FALLBACK_SECONDS;
        long window = Math.max(1, Math.round(seconds * (fps > 0 ? fps : 30)));
        boolean whole = warmUp.seconds() <= 0 && frameCount > 0;
        this.warmUpFrames = whole ? frameCount : frameCount > 0 ? Math.min(window, frameCount) : window;
        this.stride = Math.max(1, warmUpFrames / warmUp.samples());
    }

    /**
     * True for a live session (no known frame count): after its warm-up it goes on from the frame after
     * the warm-up instead of rewinding to its first frame, so the frames of the warm-up window are not
     * segmented and latency after the warm-up does not carry the window's length as a backlog.
     */
    public boolean live() {
        return live;
    }

    /** True once the warm-up has built the background: frames may be segmented. */
    public boolean ready() {
        return detector != null;
    }

    /** Index of the session's first frame, where a file session's segmentation starts again after the warm-up. */
    public long firstIndex() {
        return firstIndex;
    }

    /** The next frame to segment: frames before it are done. */
    public long nextIndex() {
        return nextIndex;
    }

    /** Counts the background's changes (built, then each live refresh), to store it only when it changed. */
    public long backgroundVersion() {
        return backgroundVersion;
    }

    /** A copy of the background in use; null before the warm-up built it. */
    public byte[] background() {
        return detector == null ? null : detector.background();
    }

    /**
     * Samples a warm-up frame; true when this frame completed the warm-up (at the end of the window or
     * on the session's last frame). A frame seen again (after a rewind) is not sampled twice. A live
     * session then goes on after this frame ({@link #nextIndex()}), unless it is the last one, which is
     * still segmented so that the session's end goes downstream. {@code gray} is null for an end marker
     * without an image: the background is built from the samples so far, if any.
     */
    public boolean warmUpWith(long index, byte[] gray, boolean last) {
        if (ready() || index <= lastWarmUpIndex) {
            return false;
        }
        lastWarmUpIndex = index;
        if (background == null) {
            background = new BackgroundModel(width, height, warmUp.samples());
        }
        long offsetInWindow = index - firstIndex;
        if (gray != null && offsetInWindow % stride == 0) {
            background.add(gray);
        }
        if (gray == null && background.samples() == 0) {
            // Ended before any sample: no background to segment with, only the end to pass on.
            return false;
        }
        if (offsetInWindow + 1 >= warmUpFrames || last) {
            if (live && !last) {
                nextIndex = index + 1;
            }
            byte[] backgroundImage = segmentation.background() == BackgroundMode.FLAT ? flat(background.median())
                    : background.percentile(backgroundPercentile(segmentation.polarity()));
            settings = learnAreas(backgroundImage);
            background = null;
            detector = new BlobDetector(width, height, backgroundImage, settings);
            linker = new FragmentLinker(settings.maxArea(), warmUp.animals());
            backgroundVersion++;
            return true;
        }
        return false;
    }

    /** An image of one grey level: the median of {@code image}'s pixels, the arena's typical level. */
    static byte[] flat(byte[] image) {
        int[] histogram = new int[256];
        for (byte b : image) {
            histogram[b & 0xFF]++;
        }
        int level = 0;
        int seen = histogram[0];
        while (seen * 2 < image.length) {
            level++;
            seen += histogram[level];
        }
        byte[] out = new byte[image.length];
        Arrays.fill(out, (byte) level);
        return out;
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
    private SegmentationSettings learnAreas(byte[] backgroundImage) {
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
        return segmentation.withThresholdAndAreas(segmentation.threshold(),
                Math.max(segmentation.minArea(), range.min()), Math.max(segmentation.minArea(), range.max()));
    }

    /** Segments, links and crops one frame; frames must come in index order after the warm-up. */
    public SegmentedFrame segment(long index, ByteBuffer gray) {
        if (!ready()) {
            throw new IllegalStateException("frame " + index + " segmented before the warm-up built a background");
        }
        if (index < nextIndex) {
            throw new IllegalStateException("frame " + index + " segmented again; the next frame is " + nextIndex);
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
        nextIndex = index + 1;
        boolean refreshes = live && online.refreshEveryFrames() > 0 && settings.background() == BackgroundMode.MODELLED;
        if (refreshes && (index - firstIndex + 1) % online.refreshEveryFrames() == 0) {
            detector.refreshBackground();
            backgroundVersion++;
        }
        return new SegmentedFrame(index, blobs, links.fragments(), links.crossing(), cropped,
                crops == null ? 0 : crops.size(), System.nanoTime() - start);
    }

    /**
     * The session's end without an image (the end marker of a stopped live source): no blobs; call
     * {@link #globalFragments} with {@code last} to release the pending global fragments. Needs no
     * background, so a session stopped during its warm-up ends too.
     */
    public SegmentedFrame end(long index) {
        if (index < nextIndex) {
            throw new IllegalStateException("end marker at frame " + index + " but frame " + (nextIndex - 1)
                    + " was already segmented");
        }
        nextIndex = index + 1;
        return new SegmentedFrame(index, List.of(), new long[0], new boolean[0], new byte[0][], 0, 0);
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
            bodyLength = lengths[n / 2];
            cropper = new IdentificationCropper(width, height, warmUp.cropSize(), bodyLength);
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
            globals = new GlobalFragmentBuilder(warmUp.animals(), maxCropsPerFragment(), online.maxGlobalSpanFrames());
        }
        List<GlobalFragmentBuilder.Global> done = new ArrayList<>(
                globals.frame(frame.index(), frame.fragments(), frame.crossing(), frame.crops()));
        if (last) {
            done.addAll(globals.finish());
        }
        return done;
    }

    /** Crops kept per fragment: records stay well under the topic's limit whatever the number of animals. */
    private int maxCropsPerFragment() {
        long budget = 8L * 1024 * 1024 / ((long) warmUp.animals() * warmUp.cropSize() * warmUp.cropSize());
        return (int) Math.max(4, Math.min(64, budget));
    }

    /**
     * The session's state once the warm-up is done, without the background ({@link #background()})
     * and the kept crops' pixels ({@link #forEachKeptCrop}): a few kilobytes.
     */
    public SessionCheckpoint checkpoint(String session) {
        if (!ready()) {
            throw new IllegalStateException("no checkpoint before the warm-up built a background");
        }
        SessionCheckpoint.Builder state = SessionCheckpoint.newBuilder().setSession(session).setNextIndex(nextIndex)
                .setWidth(width).setHeight(height).setFirstIndex(firstIndex).setThreshold(detector.threshold())
                .setMinArea(settings.minArea()).setMaxArea(settings.maxArea()).setBodyLength(bodyLength)
                .setLinker(linker.state()).setHasGlobals(globals != null);
        if (globals != null) {
            state.setGlobals(globals.state());
        }
        return state.build();
    }

    /** Every crop held for global fragments still to come, by fragment and ordinal. */
    public void forEachKeptCrop(GlobalFragmentBuilder.CropVisitor visitor) {
        if (globals != null) {
            globals.forEachKeptCrop(visitor);
        }
    }

    /**
     * A session that continues from {@code checkpoint} with the background and crops stored beside
     * it: segmenting the frames from {@link SessionCheckpoint#getNextIndex()} on gives exactly what
     * the session that took the checkpoint would have given. The settings must be the same.
     */
    public static SessionSegmenter restore(SessionCheckpoint checkpoint, byte[] background,
                                           GlobalFragmentBuilder.CropSource crops, double fps, long frameCount,
                                           SegmentationSettings segmentation, WarmUp warmUp, OnlineSettings online) {
        int width = checkpoint.getWidth();
        int height = checkpoint.getHeight();
        if (background == null || background.length != width * height) {
            throw new IllegalStateException("checkpoint of session " + checkpoint.getSession()
                    + " has no " + width + "x" + height + " background");
        }
        SessionSegmenter session = new SessionSegmenter(width, height, fps, frameCount, checkpoint.getFirstIndex(),
                segmentation, warmUp, online);
        session.settings = segmentation.withThresholdAndAreas(checkpoint.getThreshold(), checkpoint.getMinArea(),
                checkpoint.getMaxArea());
        session.detector = new BlobDetector(width, height, background, session.settings);
        session.linker = FragmentLinker.restore(checkpoint.getLinker(), width, height, checkpoint.getMaxArea(),
                warmUp.animals());
        session.nextIndex = checkpoint.getNextIndex();
        if (checkpoint.getBodyLength() > 0) {
            session.bodyLength = checkpoint.getBodyLength();
            session.cropper = new IdentificationCropper(width, height, warmUp.cropSize(), checkpoint.getBodyLength());
        }
        if (checkpoint.getHasGlobals()) {
            session.globals = GlobalFragmentBuilder.restore(checkpoint.getGlobals(), warmUp.animals(),
                    session.maxCropsPerFragment(), online.maxGlobalSpanFrames(), crops);
        }
        session.backgroundVersion = 1;
        return session;
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
