package dev.shoal.deploy;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.line;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Draws trajectories.csv as a picture: each identity's path in its own colour on white, in video
 * coordinates scaled to at most 1024 pixels a side. Consecutive positions more than a few frames
 * apart are not joined.
 */
final class TrajectoryPlot {

    private static final int MAX_SIDE = 1024;
    private static final long MAX_GAP_FRAMES = 3;

    private TrajectoryPlot() {
    }

    static void write(Path csv, int videoWidth, int videoHeight, Path png) throws IOException {
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(videoWidth, videoHeight));
        int w = (int) Math.round(videoWidth * scale);
        int h = (int) Math.round(videoHeight * scale);
        Map<Long, double[]> last = new HashMap<>();
        try (Mat canvas = new Mat(h, w, opencv_core.CV_8UC3, new Scalar(255, 255, 255, 0));
             BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            in.readLine();
            for (String row = in.readLine(); row != null; row = in.readLine()) {
                String[] f = row.split(",");
                long frame = Long.parseLong(f[0]);
                long identity = Long.parseLong(f[2]);
                double x = Double.parseDouble(f[3]) * scale;
                double y = Double.parseDouble(f[4]) * scale;
                double[] previous = last.put(identity, new double[] {frame, x, y});
                if (previous != null && frame - previous[0] <= MAX_GAP_FRAMES) {
                    try (Point a = point(previous[1], previous[2]); Point b = point(x, y);
                         Scalar colour = colour(identity)) {
                        line(canvas, a, b, colour, 2, LINE_AA, 4);
                    }
                }
            }
            Path temporary = png.resolveSibling(".tmp-" + png.getFileName());
            if (!imwrite(temporary.toString(), canvas)) {
                throw new IOException("OpenCV could not write " + temporary);
            }
            Files.move(temporary, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** A point in 1/16 pixel units, for OpenCV's sub-pixel drawing (shift 4). */
    static Point point(double x, double y) {
        return new Point((int) Math.round(x * 16), (int) Math.round(y * 16));
    }

    /** A saturated colour spread around the hue circle by the golden angle, stable per identity. */
    static Scalar colour(long identity) {
        double hue = (identity * 0.618033988749895) % 1.0;
        double[] rgb = new double[3];
        for (int i = 0; i < 3; i++) {
            double k = (hue * 6 + new double[] {5, 3, 1}[i]) % 6;
            rgb[i] = 255 * (1 - Math.max(0, Math.min(Math.min(k, 4 - k), 1)) * 0.85);
        }
        return new Scalar(rgb[2], rgb[1], rgb[0], 0);
    }
}
