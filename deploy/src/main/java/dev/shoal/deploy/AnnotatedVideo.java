package dev.shoal.deploy;

import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;

import dev.shoal.core.BadInputException;
import dev.shoal.core.progress.ProgressLine;
import dev.shoal.identifier.evaluation.FrameSeries;
import dev.shoal.identifier.evaluation.PointObservation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Draws trajectories onto the video they came from: each identity's label, a dot at its position
 * and a tail of its last second, in the colour {@link TrajectoryPlot} gives it, written as H.264
 * (openh264) MP4 through FFmpeg.
 */
final class AnnotatedVideo {

    private AnnotatedVideo() {
    }

    /** Writes {@code target} (to a temporary name first); returns the number of frames written. */
    static long write(Path video, FrameSeries<PointObservation> tracks, Path target, PrintWriter err) throws IOException {
        Path temporary = target.resolveSibling(".tmp-" + target.getFileName());
        AtomicLong written = new AtomicLong();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            try {
                grabber.start();
            } catch (FrameGrabber.Exception e) {
                throw new BadInputException(video + ": FFmpeg cannot read it as a video (" + e.getMessage()
                        + "); give the video the trajectories were tracked from");
            }
            int width = grabber.getImageWidth();
            int height = grabber.getImageHeight();
            double fps = grabber.getFrameRate() > 0 ? grabber.getFrameRate() : 30;
            int tail = (int) Math.max(2, Math.round(fps));
            double scale = Math.max(width, height) / 1024.0;
            Map<Integer, Deque<double[]>> tails = new HashMap<>();
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(temporary.toFile(), width, height, 0);
                 ProgressLine progress = new ProgressLine("annotate", "frames", written::get,
                         Math.max(0, grabber.getLengthInFrames()), null, err, Duration.ofSeconds(1))) {
                recorder.setFormat("mp4");
                recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
                recorder.setVideoCodecName("libopenh264");
                recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
                recorder.setFrameRate(fps);
                recorder.setVideoBitrate((int) Math.min(20_000_000L, (long) width * height * 8));
                recorder.start();
                for (Frame frame = grabber.grabImage(); frame != null; frame = grabber.grabImage()) {
                    Mat image = converter.convert(frame);
                    List<PointObservation> present = tracks.frames().getOrDefault(written.get(), List.of());
                    for (PointObservation p : present) {
                        Deque<double[]> path = tails.computeIfAbsent(p.identity(), k -> new ArrayDeque<>());
                        path.addLast(new double[] {written.get(), p.x(), p.y()});
                    }
                    for (Map.Entry<Integer, Deque<double[]>> e : tails.entrySet()) {
                        Deque<double[]> path = e.getValue();
                        while (!path.isEmpty() && path.peekFirst()[0] <= written.get() - tail) {
                            path.removeFirst();
                        }
                        draw(image, tracks.identities().get(e.getKey()), path, written.get(), scale);
                    }
                    recorder.record(converter.convert(image), avutil.AV_PIX_FMT_BGR24);
                    written.incrementAndGet();
                }
                recorder.stop();
            }
        } catch (FrameGrabber.Exception | FFmpegFrameRecorder.Exception e) {
            Files.deleteIfExists(temporary);
            throw new IOException(video + ": annotating failed: " + e.getMessage(), e);
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return written.get();
    }

    private static void draw(Mat image, String label, Deque<double[]> path, long frame, double scale) {
        if (path.isEmpty()) {
            return;
        }
        long identity = parseIdentity(label);
        int thickness = (int) Math.max(1, Math.round(2 * scale));
        try (Scalar colour = TrajectoryPlot.colour(identity)) {
            double[] previous = null;
            for (double[] p : path) {
                if (previous != null && p[0] - previous[0] <= 3) {
                    try (Point a = TrajectoryPlot.point(previous[1], previous[2]); Point b = TrajectoryPlot.point(p[1], p[2])) {
                        line(image, a, b, colour, thickness, LINE_AA, 4);
                    }
                }
                previous = p;
            }
            double[] now = path.peekLast();
            if (now[0] == frame) {
                try (Point centre = TrajectoryPlot.point(now[1], now[2]);
                     Point text = new Point((int) Math.round(now[1] + 8 * scale), (int) Math.round(now[2] - 8 * scale))) {
                    circle(image, centre, (int) Math.round(4 * scale * 16), colour, -1, LINE_AA, 4);
                    putText(image, label, text, FONT_HERSHEY_SIMPLEX, 0.6 * scale, colour, thickness, LINE_AA, false);
                }
            }
        }
    }

    /** Identities are numbers in shoal's output; another tracker's labels get a stable number from their text. */
    private static long parseIdentity(String label) {
        try {
            return Long.parseLong(label);
        } catch (NumberFormatException e) {
            return Math.abs((long) label.hashCode());
        }
    }
}
