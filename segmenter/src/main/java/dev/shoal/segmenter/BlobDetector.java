package dev.shoal.segmenter;

import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CMP_GT;
import static org.bytedeco.opencv.global.opencv_core.CMP_LT;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.add;
import static org.bytedeco.opencv.global.opencv_core.bitwise_and;
import static org.bytedeco.opencv.global.opencv_core.bitwise_not;
import static org.bytedeco.opencv.global.opencv_core.compare;
import static org.bytedeco.opencv.global.opencv_core.subtract;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_ELLIPSE;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_OPEN;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_TRIANGLE;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;
import static org.bytedeco.opencv.global.opencv_imgproc.getStructuringElement;
import static org.bytedeco.opencv.global.opencv_imgproc.morphologyEx;

import dev.shoal.core.RegionOfInterest;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Finds the animals in a frame: difference to the background by polarity (zero outside the region of
 * interest, when there is one), threshold, optional
 * opening, connected components with statistics (8-connectivity), blobs below the minimum area
 * dropped. Large blobs are kept: they are crossings, not noise. Not thread-safe: one per session.
 */
public final class BlobDetector implements AutoCloseable {

    /** The automatic threshold never goes below this, so sensor noise alone never makes blobs. */
    static final int MIN_AUTO_THRESHOLD = 12;

    private final int width;
    private final int height;
    private final SegmentationSettings settings;
    private final BytePointer frameData;
    private final Mat frame;
    private final Mat background;
    private final Mat difference = new Mat();
    private final Mat foreground = new Mat();
    /** Two label images used in turn, so the previous frame's stays valid for the linker. */
    private final Mat[] labels = {new Mat(), new Mat()};
    private int current;
    private final Mat stats = new Mat();
    private final Mat centroids = new Mat();
    private final Mat kernel;
    /** 255 inside the region of interest, 0 outside; null when animals may be anywhere. */
    private final Mat insideRegion;
    /** All ones, made at the first refresh. */
    private Mat step;
    private final Mat still = new Mat();
    private final Mat towards = new Mat();
    private int threshold;

    public BlobDetector(int width, int height, byte[] background, SegmentationSettings settings) {
        this.width = width;
        this.height = height;
        this.settings = settings;
        this.frameData = new BytePointer((long) width * height);
        this.frame = new Mat(height, width, CV_8UC1, frameData);
        this.background = new Mat(height, width, CV_8UC1);
        this.background.data().put(background, 0, width * height);
        this.threshold = settings.threshold();
        RegionOfInterest region = settings.region();
        if (region != null) {
            region.requireInside("region of interest (--roi)", width, height);
            this.insideRegion = new Mat(height, width, CV_8UC1, new Scalar(0));
            try (Mat inside = insideRegion.apply(new Rect(region.x(), region.y(), region.width(), region.height()))) {
                inside.put(new Scalar(255));
            }
        } else {
            this.insideRegion = null;
        }
        int r = settings.openingRadius();
        this.kernel = r > 0 ? getStructuringElement(MORPH_ELLIPSE, new Size(2 * r + 1, 2 * r + 1)) : null;
    }

    /** Segments one GRAY8 frame (width * height bytes, row-major). */
    public Segmentation segment(byte[] gray) {
        return segment(ByteBuffer.wrap(gray));
    }

    /**
     * Segments one GRAY8 frame read from {@code gray}'s position (width * height bytes, row-major),
     * copied once into native memory. The returned label image is OpenCV's own (read in place, not
     * copied) and is reused by the call after next: enough for linking each frame to the one before it.
     */
    public Segmentation segment(ByteBuffer gray) {
        if (gray.remaining() != width * height) {
            throw new IllegalArgumentException("frame of " + gray.remaining() + " bytes, expected " + width * height);
        }
        frameData.position(0).asBuffer().put(gray.duplicate());
        switch (settings.polarity()) {
            case DARK_ON_LIGHT -> subtract(background, frame, difference);
            case LIGHT_ON_DARK -> subtract(frame, background, difference);
            case ANY -> absdiff(frame, background, difference);
        }
        if (insideRegion != null) {
            bitwise_and(difference, insideRegion, difference);
        }
        if (threshold == 0) {
            // Chosen once per session from its first frame: a per-frame choice would let blob sizes
            // drift with the number of animals in view. The triangle method suits a histogram that is
            // one noise peak with a long tail of animal pixels.
            double chosen = opencv_imgproc.threshold(difference, foreground, 0, 255, THRESH_BINARY | THRESH_TRIANGLE);
            threshold = Math.max(MIN_AUTO_THRESHOLD, (int) Math.ceil(chosen));
        }
        opencv_imgproc.threshold(difference, foreground, threshold - 1, 255, THRESH_BINARY);
        if (kernel != null) {
            morphologyEx(foreground, foreground, MORPH_OPEN, kernel);
        }
        current = 1 - current;
        int n = connectedComponentsWithStats(foreground, labels[current], stats, centroids, 8, CV_32S);
        IntBuffer labelImage = labels[current].createBuffer();
        List<DetectedBlob> blobs = new ArrayList<>();
        try (IntIndexer s = stats.createIndexer(); DoubleIndexer c = centroids.createIndexer()) {
            for (int label = 1; label < n; label++) {
                int area = s.get(label, opencv_imgproc.CC_STAT_AREA);
                if (area < settings.minArea()) {
                    continue;
                }
                int left = s.get(label, opencv_imgproc.CC_STAT_LEFT);
                int top = s.get(label, opencv_imgproc.CC_STAT_TOP);
                int w = s.get(label, opencv_imgproc.CC_STAT_WIDTH);
                int h = s.get(label, opencv_imgproc.CC_STAT_HEIGHT);
                double[] axis = principalAxis(labelImage, label, left, top, w, h, c.get(label, 0), c.get(label, 1));
                blobs.add(new DetectedBlob(label, c.get(label, 0), c.get(label, 1), area, left, top, w, h,
                        axis[0], axis[1]));
            }
        }
        return new Segmentation(width, height, List.copyOf(blobs), labelImage, threshold);
    }

    /** Orientation and elongation from the component's central second moments. */
    private double[] principalAxis(IntBuffer labelImage, int label, int left, int top, int w, int h,
                                   double cx, double cy) {
        double mu20 = 0;
        double mu02 = 0;
        double mu11 = 0;
        // One pass over the bounding box of the label image already in hand (rows copied in bulk);
        // OpenCV's moments() would need a mask Mat per component.
        int[] labelRow = new int[w];
        for (int y = top; y < top + h; y++) {
            double dy = y - cy;
            labelImage.get(y * width + left, labelRow, 0, w);
            for (int x = 0; x < w; x++) {
                if (labelRow[x] == label) {
                    double dx = left + x - cx;
                    mu20 += dx * dx;
                    mu02 += dy * dy;
                    mu11 += dx * dy;
                }
            }
        }
        double angle = 0.5 * Math.atan2(2 * mu11, mu20 - mu02);
        if (angle <= -Math.PI / 2) {
            angle += Math.PI;
        }
        double common = Math.sqrt(4 * mu11 * mu11 + (mu20 - mu02) * (mu20 - mu02));
        double major = (mu20 + mu02 + common) / 2;
        double minor = (mu20 + mu02 - common) / 2;
        double elongation = minor > 0 ? Math.sqrt(major / minor) : Double.POSITIVE_INFINITY;
        return new double[] {angle, elongation};
    }

    /**
     * Moves the background one grey level towards the last segmented frame wherever that frame
     * showed no foreground: repeated over a sparse sample of frames, a running median (McFarlane and
     * Schofield's approximate median) that follows slow lighting drift and never learns an animal.
     */
    public void refreshBackground() {
        if (step == null) {
            try (Scalar one = new Scalar(1)) {
                step = new Mat(height, width, CV_8UC1, one);
            }
        }
        bitwise_not(foreground, still);
        compare(frame, background, towards, CMP_GT);
        bitwise_and(towards, still, towards);
        add(background, step, background, towards, -1);
        compare(frame, background, towards, CMP_LT);
        bitwise_and(towards, still, towards);
        subtract(background, step, background, towards, -1);
    }

    /** A copy of the background in use (GRAY8, row-major). */
    public byte[] background() {
        byte[] copy = new byte[width * height];
        background.data().get(copy);
        return copy;
    }

    /** The background in use, in native memory. */
    Mat backgroundImage() {
        return background;
    }

    /** The last segmented frame, in native memory. */
    Mat frameImage() {
        return frame;
    }

    /** The last segmented frame's component labels (CV_32S), in native memory. */
    Mat labelImage() {
        return labels[current];
    }

    /** The threshold in use (the automatic one once the first frame has been segmented). */
    public int threshold() {
        return threshold;
    }

    @Override
    public void close() {
        frame.close();
        frameData.close();
        background.close();
        difference.close();
        foreground.close();
        labels[0].close();
        labels[1].close();
        stats.close();
        centroids.close();
        if (kernel != null) {
            kernel.close();
        }
        if (insideRegion != null) {
            insideRegion.close();
        }
        if (step != null) {
            step.close();
        }
        still.close();
        towards.close();
    }
}
