package dev.shoal.segmenter;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32SC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Cuts each blob's identification image (DESIGN.md section 3.2): a square centred on the centroid,
 * rotated so the long axis is horizontal, scaled so the square spans a fixed multiple of the body
 * length, with every pixel outside the blob set to the background (so animals look the same wherever
 * they are): the blob is laid on the background in the square it can reach, then that square is
 * warped once, the blob's edge blended with the background by the interpolation. Head and
 * tail are not told apart: an animal's crops come in two orientations 180 degrees apart.
 */
public final class IdentificationCropper implements AutoCloseable {

    /** How many body lengths the crop's side spans. */
    public static final double SPAN_BODY_LENGTHS = 1.25;

    private final int width;
    private final int height;
    private final int size;
    private final double scale;
    private final Mat outside = new Mat();
    private final Mat composite = new Mat();
    private final Mat warped = new Mat();
    private final Size out;
    private final Scalar zero = new Scalar(0);
    private final Mat transform = new Mat(2, 3, opencv_core.CV_64F);
    private final Mat labelValue = new Mat(1, 1, CV_32SC1);
    private final DoubleIndexer transformValues = transform.createIndexer();
    private final IntIndexer label = labelValue.createIndexer();

    /**
     * @param size       side of the crop in pixels (52 in idtracker.ai)
     * @param bodyLength the session's typical body length in frame pixels
     */
    public IdentificationCropper(int width, int height, int size, double bodyLength) {
        if (size < 8) {
            throw new IllegalArgumentException("crop size " + size + " is below 8 pixels");
        }
        if (!(bodyLength > 0)) {
            throw new IllegalArgumentException("body length " + bodyLength + " must be positive");
        }
        this.width = width;
        this.height = height;
        this.size = size;
        this.scale = size / (SPAN_BODY_LENGTHS * bodyLength);
        this.out = new Size(size, size);
    }

    /** The body length of an ellipse with the blob's area and elongation: 2 sqrt(area * elongation / pi). */
    public static double bodyLength(DetectedBlob blob) {
        return 2 * Math.sqrt(blob.area() * Math.min(blob.elongation(), 50) / Math.PI);
    }

    /**
     * The identification image of {@code blob} in the frame {@code detector} segmented last, read
     * from the detector's own native frame, label and background images (no copy of any; the
     * background may have been refreshed since the last frame): size x size GRAY8.
     */
    public byte[] crop(BlobDetector detector, DetectedBlob blob) {
        Mat frame = detector.frameImage();
        Mat labels = detector.labelImage();
        // Only the square around the centroid that the rotated crop can reach is read.
        int reach = (int) Math.ceil(size / scale / Math.sqrt(2)) + 2;
        int left = Math.max(0, (int) Math.floor(blob.x()) - reach);
        int top = Math.max(0, (int) Math.floor(blob.y()) - reach);
        int right = Math.min(width, (int) Math.floor(blob.x()) + reach + 1);
        int bottom = Math.min(height, (int) Math.floor(blob.y()) + reach + 1);
        double x = blob.x() - left;
        double y = blob.y() - top;
        double angle = -blob.orientation();
        double cos = Math.cos(angle) * scale;
        double sin = Math.sin(angle) * scale;
        // Rotate by -orientation and scale about the centroid, then move it to the crop's centre.
        double c = (size - 1) / 2.0;
        transformValues.put(0, 0, cos);
        transformValues.put(0, 1, -sin);
        transformValues.put(0, 2, c - cos * x + sin * y);
        transformValues.put(1, 0, sin);
        transformValues.put(1, 1, cos);
        transformValues.put(1, 2, c - sin * x - cos * y);
        label.put(0, 0, blob.label());
        try (Rect region = new Rect(left, top, right - left, bottom - top);
             Mat frameRegion = frame.apply(region);
             Mat labelRegion = labels.apply(region);
             Mat backgroundRegion = detector.backgroundImage().apply(region)) {
            opencv_core.compare(labelRegion, labelValue, outside, opencv_core.CMP_NE);
            frameRegion.copyTo(composite);
            backgroundRegion.copyTo(composite, outside);
            warpAffine(composite, warped, transform, out, INTER_LINEAR, BORDER_CONSTANT, zero);
        }
        byte[] crop = new byte[size * size];
        warped.data().get(crop);
        return crop;
    }

    public int size() {
        return size;
    }

    @Override
    public void close() {
        outside.close();
        composite.close();
        warped.close();
        out.close();
        zero.close();
        transformValues.close();
        label.close();
        transform.close();
        labelValue.close();
    }
}
