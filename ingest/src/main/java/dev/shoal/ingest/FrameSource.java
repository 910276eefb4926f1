package dev.shoal.ingest;

import java.io.IOException;

/**
 * Where frames come from: a file, a folder, a camera, a network stream or the synthetic arena.
 * Frames come out in order, as GRAY8, with their presentation time; closing releases the device.
 */
public interface FrameSource extends AutoCloseable {

    /** The next frame, or {@code null} when a finite source has no more. Blocks on live sources. */
    VideoFrame next() throws IOException;

    int width();

    int height();

    /** Frames per second the source declares (0 when unknown). */
    double fps();

    /** Number of frames when known in advance (files), else -1. */
    long frameCount();

    /** Live sources drop frames when downstream is slow; finite sources apply back-pressure instead. */
    boolean live();

    /**
     * Hands back a frame this source returned once nothing refers to its pixels any more, so a later
     * frame may be decoded into the same array instead of a new one (a megapixel frame is a large
     * allocation). Optional for both sides: the default keeps nothing.
     */
    default void recycle(VideoFrame frame) {
    }

    @Override
    void close() throws IOException;
}
