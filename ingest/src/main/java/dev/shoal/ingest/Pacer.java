package dev.shoal.ingest;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits until each event is due on the monotonic clock: event k is due at the first event's wall
 * moment plus (its recorded offset from the first event) / speed. Due times are absolute, so time
 * spent between waits never adds up as drift.
 */
final class Pacer {

    private final double speed;
    private long originNanos = Long.MIN_VALUE;
    private long originOffsetNanos;

    /** @param speed 1 for the recorded pace, 2 for twice as fast */
    Pacer(double speed) {
        this.speed = speed;
    }

    /**
     * Blocks until the event recorded at {@code offsetNanos} (on any clock; only differences count) is due.
     *
     * @return the monotonic time at which it was released
     */
    long awaitDue(long offsetNanos) throws InterruptedException {
        long now = System.nanoTime();
        if (originNanos == Long.MIN_VALUE) {
            originNanos = now;
            originOffsetNanos = offsetNanos;
            return now;
        }
        long due = originNanos + Math.round((offsetNanos - originOffsetNanos) / speed);
        while (now < due) {
            LockSupport.parkNanos(due - now);
            if (Thread.interrupted()) {
                throw new InterruptedException("pacing interrupted");
            }
            now = System.nanoTime();
        }
        return now;
    }
}
