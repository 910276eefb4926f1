package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Consecutive files of one experiment as one video: frame index and media time continue across
 * files (the next file starts one frame duration after the previous one's last frame). Every file
 * is probed when opened, so a missing file or one of another size fails before any frame is read;
 * then one file at a time is decoded.
 */
public final class ConcatenatedSource implements FrameSource {

    private final List<Path> paths;
    private final int width;
    private final int height;
    private final double fps;
    private final long frameCount;
    private int fileIndex;
    private VideoFileSource current;
    private long nextIndex;
    private double timeOffset;
    private double lastMediaTime;

    private ConcatenatedSource(List<Path> paths, VideoFileSource first, long frameCount) {
        this.paths = List.copyOf(paths);
        this.current = first;
        this.width = first.width();
        this.height = first.height();
        this.fps = first.fps();
        this.frameCount = frameCount;
    }

    public static ConcatenatedSource open(List<Path> paths) throws IOException {
        if (paths.isEmpty()) {
            throw new BadInputException("no video files given; give at least one");
        }
        long total = 0;
        int width = 0;
        int height = 0;
        for (Path path : paths) {
            try (VideoFileSource probe = VideoFileSource.open(path)) {
                if (width == 0) {
                    width = probe.width();
                    height = probe.height();
                } else if (probe.width() != width || probe.height() != height) {
                    throw new BadInputException(path + ": is " + probe.width() + "x" + probe.height() + " but "
                            + paths.get(0) + " is " + width + "x" + height + "; give files of one recording");
                }
                total = total < 0 || probe.frameCount() <= 0 ? -1 : total + probe.frameCount();
            }
        }
        return new ConcatenatedSource(paths, VideoFileSource.open(paths.get(0)), total);
    }

    @Override
    public VideoFrame next() throws IOException {
        while (current != null) {
            VideoFrame f = current.next();
            if (f != null) {
                lastMediaTime = timeOffset + f.mediaTimeS();
                return new VideoFrame(nextIndex++, lastMediaTime, f.captureTimeNs(), f.wallTimeNs(), width, height,
                        f.gray());
            }
            double frameSeconds = current.fps() > 0 ? 1 / current.fps() : 0;
            current.close();
            current = null;
            if (++fileIndex < paths.size()) {
                timeOffset = nextIndex == 0 ? 0 : lastMediaTime + frameSeconds;
                current = VideoFileSource.open(paths.get(fileIndex));
            }
        }
        return null;
    }

    @Override
    public void recycle(VideoFrame frame) {
        // Files are the same size; if the file in hand has just been closed, the array is merely not reused.
        VideoFileSource file = current;
        if (file != null) {
            file.recycle(frame);
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
        return false;
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
