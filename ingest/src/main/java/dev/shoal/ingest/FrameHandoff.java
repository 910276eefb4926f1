package dev.shoal.ingest;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded hand-off between a live source's reading thread and the publishing thread. The reader
 * never waits: when the queue is full the oldest frame is dropped (and counted) so the freshest
 * frames go out first, and memory stays at most {@code capacity} frames however slow the publisher is.
 */
final class FrameHandoff {

    private final ArrayBlockingQueue<VideoFrame> queue;
    private final AtomicLong dropped = new AtomicLong();
    private volatile int peakDepth;

    FrameHandoff(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /**
     * Queues {@code frame}, dropping the oldest queued frames to make room; never blocks.
     *
     * @return how many frames were dropped for it
     */
    int put(VideoFrame frame) {
        int droppedNow = 0;
        while (!queue.offer(frame)) {
            if (queue.poll() != null) {
                droppedNow++;
            }
        }
        dropped.addAndGet(droppedNow);
        int depth = queue.size();
        if (depth > peakDepth) {
            peakDepth = depth;
        }
        return droppedNow;
    }

    /** Empties the queue, counting what it held as dropped. */
    int discard() {
        int n = queue.size();
        queue.clear();
        dropped.addAndGet(n);
        return n;
    }

    /** The oldest queued frame, waiting up to {@code timeoutMillis}; null when none came. */
    VideoFrame take(long timeoutMillis) throws InterruptedException {
        return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    long dropped() {
        return dropped.get();
    }

    int depth() {
        return queue.size();
    }

    int peakDepth() {
        return peakDepth;
    }
}
