package dev.shoal.core.kafka;

/**
 * A stage of the pipeline run on a thread of its own: it consumes until stopped, and tells how it
 * ended and how long it was busy, so one driver can start, watch and stop every stage alike.
 */
public interface PipelineService extends Runnable {

    /** Asks the stage to end after the work in hand; returns at once. */
    void stop();

    /** Blocks until the stage's loop has ended and its clients are closed. */
    void awaitStopped() throws InterruptedException;

    /** The error that ended the stage, or null. */
    Throwable failure();

    /** Time spent handling records so far, in nanoseconds. */
    long busyNanos();
}
