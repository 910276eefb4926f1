package dev.shoal.ingest.arena;

import dev.shoal.ingest.FrameSource;
import dev.shoal.ingest.VideoFrame;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The synthetic arena as a live source ({@code arena:animals=10,seed=3,...}): frames come at the
 * requested rate, each due at start + index / fps on the monotonic clock (sleeping until due, so
 * rendering time does not add up as drift), with the ground truth of the last frame at hand.
 */
public final class ArenaSource implements FrameSource {

    /** Receives each emitted frame's ground truth, on the thread that reads the source. */
    @FunctionalInterface
    public interface TruthListener {
        TruthListener NONE = (index, captureTimeNs, truth) -> { };

        void truth(long index, long captureTimeNs, List<TruthRow> truth);
    }

    private final ArenaGenerator generator;
    private final ArenaSettings settings;
    private final boolean paced;
    private final TruthListener listener;
    private long startNanos = -1;
    private long emitted;
    private List<TruthRow> lastTruth = List.of();

    /** @param paced true to emit at the arena's fps (live), false to emit as fast as rendering allows */
    public ArenaSource(ArenaSettings settings, boolean paced) {
        this(settings, paced, TruthListener.NONE);
    }

    public ArenaSource(ArenaSettings settings, boolean paced, TruthListener listener) {
        this.settings = settings;
        this.generator = new ArenaGenerator(settings);
        this.paced = paced;
        this.listener = listener;
    }

    @Override
    public VideoFrame next() {
        if (settings.frames() > 0 && emitted >= settings.frames()) {
            return null;
        }
        ArenaGenerator.ArenaFrame frame = generator.next();
        emitted++;
        long now = System.nanoTime();
        if (startNanos < 0) {
            startNanos = now;
        }
        if (paced) {
            long due = startNanos + Math.round(frame.index() * 1e9 / settings.fps());
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
        }
        lastTruth = frame.truth();
        listener.truth(frame.index(), now, lastTruth);
        return new VideoFrame(frame.index(), frame.index() / settings.fps(), now,
                System.currentTimeMillis() * 1_000_000L, settings.width(), settings.height(), frame.gray());
    }

    /** Ground truth of the frame last returned by {@link #next()}. */
    public List<TruthRow> lastTruth() {
        return lastTruth;
    }

    @Override
    public int width() {
        return settings.width();
    }

    @Override
    public int height() {
        return settings.height();
    }

    @Override
    public double fps() {
        return settings.fps();
    }

    @Override
    public long frameCount() {
        return settings.frames() > 0 ? settings.frames() : -1;
    }

    @Override
    public boolean live() {
        return paced;
    }

    @Override
    public void close() {
        generator.close();
    }
}
