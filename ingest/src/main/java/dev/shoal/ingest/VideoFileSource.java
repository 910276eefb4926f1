package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * A video file decoded by FFmpeg (any container and codec it reads), converted to GRAY8 by FFmpeg's
 * scaler once per frame, not per pixel in Java.
 */
public final class VideoFileSource implements FrameSource {

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private final Path path;
    private final FFmpegFrameGrabber grabber;
    private final int width;
    private final int height;
    private long nextIndex;

    private VideoFileSource(Path path, FFmpegFrameGrabber grabber) {
        this.path = path;
        this.grabber = grabber;
        this.width = grabber.getImageWidth();
        this.height = grabber.getImageHeight();
    }

    /** Opens {@code path}; a missing file or one with no decodable video stream is bad input. */
    public static VideoFileSource open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new BadInputException(path + ": no such file; give the path of a video file");
        }
        if (!Files.isReadable(path)) {
            throw new BadInputException(path + ": not readable; check its permissions");
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(path.toFile());
        grabber.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            closeQuietly(grabber);
            throw new BadInputException(path + ": not a video FFmpeg can read (" + firstLine(e.getMessage())
                    + "); give an mp4, avi, mkv or mov file");
        }
        if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            closeQuietly(grabber);
            throw new BadInputException(path + ": has no video stream; give a video file");
        }
        return new VideoFileSource(path, grabber);
    }

    @Override
    public VideoFrame next() throws IOException {
        Frame frame = grabber.grabImage();
        if (frame == null || frame.image == null) {
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
        return new VideoFrame(nextIndex++, mediaTime, captured, wall, width, height, gray);
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
        return grabber.getLengthInFrames();
    }

    @Override
    public boolean live() {
        return false;
    }

    public Path path() {
        return path;
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
