package dev.shoal.ingest.arena;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32SC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.add;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.fillPoly;
import static org.bytedeco.opencv.global.opencv_imgproc.moments;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Moments;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * One animal's look, drawn once in its own frame (head towards +x): an anti-aliased fish-like body
 * (coverage in [0, 1]) and its grey values, a shared body darkness plus this animal's fixed,
 * low-contrast pattern of blurred spots. Rendering warps these patches into place each frame.
 */
final class AnimalAppearance implements AutoCloseable {

    private static final int SUPERSAMPLING = 4;
    private static final int OUTLINE_POINTS = 24;
    private static final int SPOTS = 7;

    /** Body coverage, CV_32F in [0, 1], patch x patch. */
    final Mat alpha;
    /** Grey value of the body at each pixel, CV_32F. */
    final Mat value;
    /** The body's centre of mass in patch coordinates. */
    final double anchorX;
    final double anchorY;
    final double length;

    AnimalAppearance(double bodyLength, double bodyGrey, double patternContrast, SplittableRandom random) {
        this.length = bodyLength * (1 + 0.02 * (2 * random.nextDouble() - 1));
        double width = length / 4;
        int patch = (int) Math.ceil(length * 1.3) | 1;
        double centre = patch / 2.0;
        int big = patch * SUPERSAMPLING;
        try (Mat coverage8 = new Mat(big, big, CV_8UC1, new Scalar(0));
             IntPointer xy = new IntPointer(4L * OUTLINE_POINTS);
             Mat contour = new Mat(2 * OUTLINE_POINTS, 1, CV_32SC2, xy);
             MatVector contours = new MatVector(contour);
             Mat small = new Mat()) {
            // Outline: tapered tail (u = 0) to rounded head (u = 1).
            for (int i = 0; i < OUTLINE_POINTS; i++) {
                double u = i / (OUTLINE_POINTS - 1.0);
                double s = (u - 0.5) * length;
                double half = 0.5 * width * Math.pow(u, 0.45) * Math.pow(1 - u, 0.25) / 0.62;
                int upper = i;
                int lower = 2 * OUTLINE_POINTS - 1 - i;
                xy.put(2L * upper, (int) Math.round((centre + s) * SUPERSAMPLING));
                xy.put(2L * upper + 1, (int) Math.round((centre - half) * SUPERSAMPLING));
                xy.put(2L * lower, (int) Math.round((centre + s) * SUPERSAMPLING));
                xy.put(2L * lower + 1, (int) Math.round((centre + half) * SUPERSAMPLING));
            }
            fillPoly(coverage8, contours, new Scalar(255), LINE_AA, 0, new Point(0, 0));
            resize(coverage8, small, new Size(patch, patch), 0, 0, INTER_AREA);
            alpha = new Mat();
            small.convertTo(alpha, CV_32F, 1 / 255.0, 0);
        }
        try (Moments m = moments(alpha)) {
            anchorX = m.m10() / m.m00();
            anchorY = m.m01() / m.m00();
        }
        value = new Mat(patch, patch, CV_32FC1, new Scalar(bodyGrey));
        try (Mat spots = new Mat(patch, patch, CV_32FC1, new Scalar(0))) {
            for (int k = 0; k < SPOTS; k++) {
                double u = 0.15 + 0.75 * random.nextDouble();
                double v = (2 * random.nextDouble() - 1) * 0.5;
                double radius = width * (0.2 + 0.15 * random.nextDouble());
                double sign = k % 2 == 0 ? 1 : -1;
                circle(spots, new Point((int) Math.round(centre + (u - 0.5) * length),
                        (int) Math.round(centre + v * width)), (int) Math.max(1, Math.round(radius)),
                        new Scalar(sign * patternContrast / 2), -1, LINE_AA, 0);
            }
            GaussianBlur(spots, spots, new Size(0, 0), Math.max(0.6, width / 8));
            add(value, spots, value);
        }
    }

    @Override
    public void close() {
        alpha.close();
        value.close();
    }
}
