package dev.shoal.segmenter;

import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;

import java.util.Random;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** Test frames: anti-aliased ellipses at sub-pixel positions on a flat background with noise. */
final class SyntheticFrame {

    private static final int SHIFT = 8;

    private final int width;
    private final int height;
    private final Mat image;

    SyntheticFrame(int width, int height, int background) {
        this.width = width;
        this.height = height;
        this.image = new Mat(height, width, opencv_core.CV_8UC1, new Scalar(background));
    }

    /** Draws a filled ellipse centred at (x, y) with half-axes a >= b, long axis at {@code degrees}. */
    SyntheticFrame ellipse(double x, double y, double a, double b, double degrees, int grey) {
        try (Point centre = new Point((int) Math.round(x * (1 << SHIFT)), (int) Math.round(y * (1 << SHIFT)));
             Size axes = new Size((int) Math.round(a * (1 << SHIFT)), (int) Math.round(b * (1 << SHIFT)));
             Scalar colour = new Scalar(grey)) {
            org.bytedeco.opencv.global.opencv_imgproc.ellipse(image, centre, axes, degrees, 0, 360, colour, -1,
                    LINE_AA, SHIFT);
        }
        return this;
    }

    /** The frame's bytes with Gaussian noise of {@code sigma} grey levels added. */
    byte[] pixels(double sigma, long seed) {
        byte[] out = new byte[width * height];
        image.data().get(out);
        Random random = new Random(seed);
        for (int i = 0; i < out.length; i++) {
            int v = (out[i] & 0xFF) + (int) Math.round(random.nextGaussian() * sigma);
            out[i] = (byte) Math.max(0, Math.min(255, v));
        }
        return out;
    }
}
