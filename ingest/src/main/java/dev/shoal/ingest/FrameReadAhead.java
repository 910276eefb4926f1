package dev.shoal.ingest;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Decodes a finite source on a thread of its own, up to {@code capacity} frames ahead of the thread
 * that publishes them, so decoding and sending overlap. Nothing is dropped: when the publisher falls
 * behind, the reading thread waits (back-pressure). A failure of the source (a damaged file) comes
 * out of {@link #next} after the frames read before it, in stream order.
 */
final class FrameReadAhead implements AutoCloseable {

    /** How the publisher reads one frame (timed and counted by the caller). */
    interface Reader {
        VideoFrame read() throws IOException;
    }

    private static final VideoFrame END = new VideoFrame(-1, 0, 0, 0, 0, 0, new byte[0]);

    private final BlockingQueue<VideoFrame> queue;
    private final Thread thread;
    private volatile Exception failure;
    private volatile boolean closing;
    private boolean ended;

    FrameReadAhead(Reader reader, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("read-ahead must hold at least one frame");
        }
        queue = new ArrayBlockingQueue<>(capacity);
        thread = new Thread(() -> run(reader), "shoal-ingest-decoder");
        thread.setDaemon(true);
    }

    /** Starts decoding; returns the decoding thread (to interrupt on stop). */
    Thread start() {
        thread.start();
        return thread;
    }

    private void run(Reader reader) {
        try {
            VideoFrame f;
            while (!closing && (f = reader.read()) != null) {
                queue.put(f);
            }
            queue.put(END);
        } catch (InterruptedException e) {
            // Stopped: next() sees the thread gone and returns null.
        } catch (Exception e) {
            failure = e;
            try {
                queue.put(END);
            } catch (InterruptedException stopped) {
                // Stopped while failing: the failure is still reported by next().
            }
        }
    }

    /**
     * The next frame, or null at the source's end or once decoding was stopped (by interrupting its
     * thread).
     *
     * @throws IOException or RuntimeException: the source's own failure, after the frames before it
     */
    VideoFrame next() throws IOException, InterruptedException {
        if (ended) {
            return null;
        }
        VideoFrame f;
        do {
            f = queue.poll(50, TimeUnit.MILLISECONDS);
        } while (f == null && (thread.isAlive() || !queue.isEmpty()));
        if (f != null && f != END) {
            return f;
        }
        ended = true;
        Exception e = failure;
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (e != null) {
            throw new IOException(e.getMessage(), e);
        }
        return null;
    }

    /** Stops decoding and waits for the thread, so the caller may close the source afterwards. */
    @Override
    public void close() {
        closing = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            queue.clear();
            try {
                thread.join(50);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        queue.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
