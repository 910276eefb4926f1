package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Anything FFmpeg opens (a file, an image sequence, a camera, a network stream), decoded to GRAY8
 * by FFmpeg, never per pixel in Java.
 *
 * <p>When a finite input decodes to gray8 or full-range planar YUV (yuvj420p and its kin), the first
 * plane is the grey image: it is copied straight from the decoder's frame, the very bytes the scaler
 * would give, without a pass through it. Any other format (limited-range YUV, whose luma the scaler
 * stretches to 0..255; RGB; packed YUV), and every live input (whose format can change on a
 * reconnect, and where the camera is asked for gray8), goes through the scaler to GRAY8.
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

    /** Pixel arrays kept for reuse: the frames a publisher may hold between decoding and sending. */
    private static final int SPARE_FRAMES = 8;

    /** Frame durations a complete file may end short of its declared duration (rounding, edit lists). */
    private static final double END_SLACK_FRAMES = 2.5;

    /**
     * Decoded formats whose first plane is 8-bit full-range luma at full size: FFmpeg's scaler turns
     * them into GRAY8 by copying that plane, so reading it directly gives the very same bytes. Limited
     * range luma (yuv420p and the like, 16 black to 235 white) is not in the list: the scaler stretches
     * it to 0..255, as GRAY8 means.
     */
    private static final Set<Integer> FULL_RANGE_LUMA_FIRST = Set.of(
            avutil.AV_PIX_FMT_GRAY8,
            avutil.AV_PIX_FMT_YUVJ420P, avutil.AV_PIX_FMT_YUVJ422P, avutil.AV_PIX_FMT_YUVJ444P,
            avutil.AV_PIX_FMT_YUVJ440P, avutil.AV_PIX_FMT_YUVJ411P);

    private final FFmpegInput input;
    private final FFmpegFrameGrabber grabber;
    private final int width;
    private final int height;
    /** The decoder's format when frames are read as their luma plane, or -1 when the scaler converts. */
    private final int lumaPlaneFormat;
    private final double declaredSeconds;
    // Read once: the publisher asks for them on every frame, from another thread than the decoding one.
    private final double fps;
    private final long frameCount;
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(SPARE_FRAMES);
    private long nextIndex;
    private double firstMediaTime = Double.NaN;
    private double lastMediaTime = Double.NaN;

    protected FFmpegSource(FFmpegInput input, FFmpegFrameGrabber grabber) {
        this.input = input;
        this.grabber = grabber;
        this.width = grabber.getImageWidth();
        this.height = grabber.getImageHeight();
        this.lumaPlaneFormat = grabber.getImageMode() == FrameGrabber.ImageMode.RAW ? grabber.getPixelFormat() : -1;
        this.declaredSeconds = input.live() ? Double.NaN : declaredVideoSeconds(grabber);
        this.fps = grabber.getFrameRate();
        this.frameCount = input.live() ? -1 : grabber.getLengthInFrames();
    }

    /** Opens {@code input}; one that FFmpeg cannot open or that has no video is bad input. */
    public static FFmpegSource open(FFmpegInput input) {
        return new FFmpegSource(input, start(input));
    }

    /**
     * Starts a grabber on {@code input}: a finite input first as raw decoder frames, kept when its
     * format's first plane is the GRAY8 image, else (and for live inputs) converting to GRAY8.
     */
    protected static FFmpegFrameGrabber start(FFmpegInput input) {
        if (!input.live()) {
            FFmpegFrameGrabber raw = start(input, FrameGrabber.ImageMode.RAW);
            if (FULL_RANGE_LUMA_FIRST.contains(raw.getPixelFormat())) {
                return raw;
            }
            closeQuietly(raw);
        }
        return start(input, FrameGrabber.ImageMode.GRAY);
    }

    private static FFmpegFrameGrabber start(FFmpegInput input, FrameGrabber.ImageMode mode) {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(input.url());
        if (input.format() != null) {
            grabber.setFormat(input.format());
        }
        input.options().forEach(grabber::setOption);
        grabber.setImageMode(mode);
        if (mode == FrameGrabber.ImageMode.GRAY) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
        }
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
        if (lumaPlaneFormat >= 0) {
            requireLumaPlane((AVFrame) frame.opaque);
        }
        long captured = System.nanoTime();
        long wall = System.currentTimeMillis() * 1_000_000L;
        byte[] gray = spare.poll();
        if (gray == null) {
            gray = new byte[width * height];
        }
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

    // The raw plane is only the grey image while the decoder keeps the format and size it started with.
    private void requireLumaPlane(AVFrame picture) {
        if (picture.format() != lumaPlaneFormat || picture.width() != width || picture.height() != height) {
            throw damaged(String.format(Locale.ROOT, "the video changes from %dx%d %s to %dx%d %s mid-stream",
                    width, height, formatName(lumaPlaneFormat), picture.width(), picture.height(),
                    formatName(picture.format())));
        }
    }

    private static String formatName(int pixelFormat) {
        BytePointer name = avutil.av_get_pix_fmt_name(pixelFormat);
        return name == null ? "format " + pixelFormat : name.getString();
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
    public void recycle(VideoFrame frame) {
        if (frame.gray().length == width * height) {
            spare.offer(frame.gray());
        }
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
        return fps;
    }

    @Override
    public long frameCount() {
        return frameCount;
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
