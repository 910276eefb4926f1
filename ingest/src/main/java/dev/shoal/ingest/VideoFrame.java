package dev.shoal.ingest;

/**
 * One decoded GRAY8 frame. {@code captureTimeNs} is on the monotonic clock ({@link System#nanoTime}) at
 * the moment the frame was read; {@code mediaTimeS} is its presentation time in the video.
 */
public record VideoFrame(long index, double mediaTimeS, long captureTimeNs, long wallTimeNs,
                         int width, int height, byte[] gray) {
}
