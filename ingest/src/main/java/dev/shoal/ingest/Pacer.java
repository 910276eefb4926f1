package dev.shoal.ingest;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits until each event is due on the monotonic clock: event k is due at the first event's wall
 * moment plus (its recorded offset from the first event) / speed. Due times are absolute, so time
 * spent between waits never adds up as drift.
 */
final class Pacer {

    /** The monotonic clock a pacer reads and sleeps on; tests substitute a manual one. */
    interface Clock {
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                LockSupport.parkNanos(nanos);
                if (Thread.interrupted()) {
                    throw new InterruptedException("pacing interrupted");
                }
            }
        };

        long nanoTime();

        /** Sleeps for about {@code nanos}; may return early (the pacer re-checks the time). */
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double speed;
    private final Clock clock;
    private long originNanos = Long.MIN_VALUE;
    private long originOffsetNanos;

    /** @param speed 1 for the recorded pace, 2 for twice as fast */
    Pacer(double speed) {
        this(speed, Clock.SYSTEM);
    }

    Pacer(double speed, Clock clock) {
        this.speed = speed;
        this.clock = clock;
    }

    /**
     * Blocks until the event recorded at {@code offsetNanos} (on any clock; only differences count) is due.
     *
     * @return the monotonic time at which it was released, never before it was due
     */
    long awaitDue(long offsetNanos) throws InterruptedException {
        long now = clock.nanoTime();
        if (originNanos == Long.MIN_VALUE) {
            originNanos = now;
            originOffsetNanos = offsetNanos;
            return now;
        }
        long due = dueNanos(offsetNanos);
        while (now < due) {
            clock.sleepNanos(due - now);
            now = clock.nanoTime();
        }
        return now;
    }

    /** The monotonic time at which the event recorded at {@code offsetNanos} is due; after the first event only. */
    long dueNanos(long offsetNanos) {
        return originNanos + Math.round((offsetNanos - originOffsetNanos) / speed);
    }
}
