package dev.shoal.deploy;

import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A test video: dark anti-aliased ellipses, each circling its own centre on a light background, never
 * touching, written losslessly (FFV1 in Matroska) so the drawn centres are exact ground truth.
 */
final class MovingEllipsesVideo {

    static final int WIDTH = 320;
    static final int HEIGHT = 240;
    static final double RADIUS = 25;
    static final double ANGULAR_SPEED = 0.05;
    private static final double[][] CENTRES = {{80, 70}, {240, 70}, {80, 170}, {240, 170}};
    private static final int SHIFT = 8;

    private MovingEllipsesVideo() {
    }

    static int animals() {
        return CENTRES.length;
    }

    /** Centre of ellipse {@code k} in frame {@code t}. */
    static double[] centre(int k, long t) {
        double phase = t * ANGULAR_SPEED + k;
        return new double[] {CENTRES[k][0] + RADIUS * Math.cos(phase), CENTRES[k][1] + RADIUS * Math.sin(phase)};
    }

    static void write(Path file, int frames) throws Exception {
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), WIDTH, HEIGHT);
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            recorder.setFormat("matroska");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_FFV1);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
            recorder.setFrameRate(25);
            recorder.start();
            for (int t = 0; t < frames; t++) {
                try (Mat image = new Mat(HEIGHT, WIDTH, opencv_core.CV_8UC1, new Scalar(200))) {
                    for (int k = 0; k < CENTRES.length; k++) {
                        double[] c = centre(k, t);
                        double heading = Math.toDegrees(t * ANGULAR_SPEED + k) + 90;
                        try (Point centre = new Point((int) Math.round(c[0] * (1 << SHIFT)),
                                (int) Math.round(c[1] * (1 << SHIFT)));
                             Size axes = new Size(12 << SHIFT, 5 << SHIFT);
                             Scalar dark = new Scalar(60)) {
                            ellipse(image, centre, axes, heading, 0, 360, dark, -1, LINE_AA, SHIFT);
                        }
                    }
                    recorder.record(converter.convert(image), avutil.AV_PIX_FMT_GRAY8);
                }
            }
            recorder.stop();
        }
    }
}
