package dev.shoal.ingest;

import dev.shoal.core.RegionOfInterest;
import java.io.IOException;

/**
 * The frames and region of a source that {@link SourceOptions} select, for every kind of source:
 * frames from {@code start} (inclusive) to {@code end} (exclusive) by source frame index or media
 * time, then every {@code stride}-th, then at most {@code targetFps} by media time, cropped to the
 * region of interest. Kept frames are numbered 0, 1, 2... so downstream sees a contiguous video;
 * their media time stays the source's.
 */
public final class SelectedSource implements FrameSource {

    private final FrameSource inner;
    private final SourceOptions options;
    private final int width;
    private final int height;
    private long inRange;
    private long nextIndex;
    private double nextDueS = Double.NaN;
    private boolean ended;

    public SelectedSource(FrameSource inner, SourceOptions options, String label) {
        this.inner = inner;
        this.options = options;
        if (options.roi() != null) {
            options.roi().requireInside(label, inner.width(), inner.height());
            width = options.roi().width();
            height = options.roi().height();
        } else {
            width = inner.width();
            height = inner.height();
        }
    }

    @Override
    public VideoFrame next() throws IOException {
        while (!ended) {
            VideoFrame f = inner.next();
            if (f == null) {
                ended = true;
                break;
            }
            if (options.start() != null && options.start().isAfter(f.index(), f.mediaTimeS())) {
                continue;
            }
            if (options.end() != null && !options.end().isAfter(f.index(), f.mediaTimeS())) {
                ended = true;
                break;
            }
            if (inRange++ % options.stride() != 0 || !dueAtTargetRate(f.mediaTimeS())) {
                continue;
            }
            byte[] gray = options.roi() == null ? f.gray() : options.roi().crop(f.gray(), f.width());
            return new VideoFrame(nextIndex++, f.mediaTimeS(), f.captureTimeNs(), f.wallTimeNs(), width, height, gray);
        }
        return null;
    }

    private boolean dueAtTargetRate(double mediaTimeS) {
        if (options.targetFps() <= 0) {
            return true;
        }
        double period = 1 / options.targetFps();
        // Half a source frame of tolerance, so 30 fps thinned to 15 keeps every other frame despite rounding.
        double tolerance = inner.fps() > 0 ? 0.5 / inner.fps() : 0;
        if (!Double.isNaN(nextDueS) && mediaTimeS + tolerance < nextDueS) {
            return false;
        }
        nextDueS = Double.isNaN(nextDueS) || mediaTimeS - nextDueS > period ? mediaTimeS + period : nextDueS + period;
        return true;
    }

    @Override
    public void recycle(VideoFrame frame) {
        // A cropped frame's pixels are a copy; the uncropped ones are the inner source's own.
        if (options.roi() == null) {
            inner.recycle(frame);
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
        double rate = inner.fps() / options.stride();
        return options.targetFps() > 0 && (rate <= 0 || options.targetFps() < rate) ? options.targetFps() : rate;
    }

    /** An estimate from the source's count, the range and the thinning; -1 when the source's is unknown. */
    @Override
    public long frameCount() {
        long total = inner.frameCount();
        double sourceFps = inner.fps();
        if (total <= 0 || (!isFrameBased() && !(sourceFps > 0))) {
            return -1;
        }
        long first = options.start() == null ? 0 : toFrame(options.start(), sourceFps);
        long last = options.end() == null ? total : Math.min(total, toFrame(options.end(), sourceFps));
        long kept = Math.max(0, (last - first + options.stride() - 1) / options.stride());
        if (options.targetFps() > 0 && sourceFps > 0 && fps() < sourceFps / options.stride()) {
            kept = (long) Math.ceil(kept * fps() * options.stride() / sourceFps);
        }
        return kept;
    }

    private boolean isFrameBased() {
        return (options.start() == null || options.start().isFrame()) && (options.end() == null || options.end().isFrame());
    }

    private static long toFrame(StreamPosition p, double fps) {
        return p.isFrame() ? p.frame() : Math.round(p.seconds() * fps);
    }

    @Override
    public boolean live() {
        return inner.live();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
