package dev.shoal.ingest;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * A finite source played at its own pace as a live one: each frame is released when its media time
 * is due, so a recorded file can stand in for a camera (and drops frames like one when downstream is slow).
 */
public final class PacedSource implements FrameSource {

    private final FrameSource inner;
    private final Pacer pacer = new Pacer(1);

    public PacedSource(FrameSource inner) {
        this.inner = inner;
    }

    @Override
    public VideoFrame next() throws IOException {
        VideoFrame f = inner.next();
        if (f == null) {
            return null;
        }
        long released;
        try {
            released = pacer.awaitDue(Math.round(f.mediaTimeS() * 1e9));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("paced source interrupted");
        }
        return new VideoFrame(f.index(), f.mediaTimeS(), released, System.currentTimeMillis() * 1_000_000L,
                f.width(), f.height(), f.gray());
    }

    @Override
    public int width() {
        return inner.width();
    }

    @Override
    public int height() {
        return inner.height();
    }

    @Override
    public double fps() {
        return inner.fps();
    }

    @Override
    public long frameCount() {
        return -1;
    }

    @Override
    public boolean live() {
        return true;
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
