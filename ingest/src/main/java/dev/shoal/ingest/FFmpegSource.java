package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Anything FFmpeg opens (a file, an image sequence, a camera, a network stream), decoded and
 * converted to GRAY8 by FFmpeg's scaler once per frame, not per pixel in Java.
 *
 * <p>A finite input that ends well before the video duration its container declares is damaged or
 * truncated: FFmpeg reports a read error and a clean end alike, so the declared duration is the only
 * way to tell them apart. The frames before the damage are returned, then one error naming the
 * frame.
 */
public class FFmpegSource implements FrameSource {

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    /** Frame durations a complete file may end short of its declared duration (rounding, edit lists). */
    private static final double END_SLACK_FRAMES = 2.5;

    private final FFmpegInput input;
    private final FFmpegFrameGrabber grabber;
    private final int width;
    private final int height;
    private final double declaredSeconds;
    private long nextIndex;
    private double firstMediaTime = Double.NaN;
    private double lastMediaTime = Double.NaN;

    protected FFmpegSource(FFmpegInput input, FFmpegFrameGrabber grabber) {
        this.input = input;
        this.grabber = grabber;
        this.width = grabber.getImageWidth();
        this.height = grabber.getImageHeight();
        this.declaredSeconds = input.live() ? Double.NaN : declaredVideoSeconds(grabber);
    }

    /** Opens {@code input}; one that FFmpeg cannot open or that has no video is bad input. */
    public static FFmpegSource open(FFmpegInput input) {
        return new FFmpegSource(input, start(input));
    }

    protected static FFmpegFrameGrabber start(FFmpegInput input) {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(input.url());
        if (input.format() != null) {
            grabber.setFormat(input.format());
        }
        input.options().forEach(grabber::setOption);
        grabber.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            closeQuietly(grabber);
            String what = input.live() ? "no video answered" : "not a video FFmpeg can read";
            throw new BadInputException(input.label() + ": " + what + " (" + firstLine(e.getMessage()) + "); "
                    + input.fix());
        }
        if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            closeQuietly(grabber);
            throw new BadInputException(input.label() + ": has no video stream; " + input.fix());
        }
        return grabber;
    }

    @Override
    public VideoFrame next() throws IOException {
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            if (input.live()) {
                throw new IOException(input.label() + ": " + firstLine(e.getMessage()), e);
            }
            throw damaged(firstLine(e.getMessage()));
        }
        if (frame == null || frame.image == null) {
            if (!input.live()) {
                requireComplete();
            }
            return null;
        }
        long captured = System.nanoTime();
        long wall = System.currentTimeMillis() * 1_000_000L;
        byte[] gray = new byte[width * height];
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        int stride = frame.imageStride;
        if (stride == width) {
            buffer.position(0);
            buffer.get(gray);
        } else {
            for (int row = 0; row < height; row++) {
                buffer.position(row * stride);
                buffer.get(gray, row * width, width);
            }
        }
        double mediaTime = frame.timestamp / 1e6;
        if (Double.isNaN(firstMediaTime)) {
            firstMediaTime = mediaTime;
        }
        lastMediaTime = mediaTime;
        return new VideoFrame(nextIndex++, mediaTime, captured, wall, width, height, gray);
    }

    private void requireComplete() {
        if (!(declaredSeconds > 0) || !(fps() > 0)) {
            return;
        }
        double frameSeconds = 1 / fps();
        double covered = nextIndex == 0 ? 0 : lastMediaTime - firstMediaTime + frameSeconds;
        if (covered + END_SLACK_FRAMES * frameSeconds < declaredSeconds) {
            throw damaged(String.format(Locale.ROOT, "the video stops at %.2f s of the %.2f s its container declares",
                    covered, declaredSeconds));
        }
    }

    private BadInputException damaged(String detail) {
        String read = nextIndex == 0 ? "no frame could be read" : "frames 0.." + (nextIndex - 1) + " were read";
        return new BadInputException(input.label() + ": damaged or truncated at frame " + nextIndex + " (" + detail
                + "; " + read + "); copy the file again or re-encode it");
    }

    private static double declaredVideoSeconds(FFmpegFrameGrabber grabber) {
        AVStream stream = grabber.getFormatContext().streams(grabber.getVideoStream());
        if (stream != null && stream.duration() != avutil.AV_NOPTS_VALUE && stream.duration() > 0) {
            return stream.duration() * avutil.av_q2d(stream.time_base());
        }
        long micros = grabber.getLengthInTime();
        return micros > 0 ? micros / 1e6 : Double.NaN;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public double fps() {
        return grabber.getFrameRate();
    }

    @Override
    public long frameCount() {
        return input.live() ? -1 : grabber.getLengthInFrames();
    }

    @Override
    public boolean live() {
        return input.live();
    }

    @Override
    public void close() throws IOException {
        grabber.close();
    }

    private static void closeQuietly(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception ignored) {
            // Already failing with a clearer message.
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
