package dev.shoal.segmenter;

import dev.shoal.core.BadInputException;

/**
 * What a session does as it goes on, beyond segmenting each frame.
 *
 * @param maxGlobalSpanFrames a global fragment is emitted once it spans this many frames, even though
 *                            its fragments go on, so that a live session gets training material
 *                            early; 0 emits it only when all of its fragments have ended
 * @param refreshEveryFrames  a live session (no known frame count) moves its background one grey
 *                            level towards every this-many-th frame, so lighting drift does not make
 *                            blobs; 0 never refreshes
 * @param newestAfterWarmUp   a live session, once its warm-up is done, passes over every frame of it
 *                            already on the topic but the newest, so that a late start of the segmenter
 *                            or a slow warm-up is not a backlog later frames wait behind (closed loop);
 *                            false: it goes on from the frame after its warm-up window, which an
 *                            uninterrupted run and a restarted one agree on frame for frame
 */
public record OnlineSettings(long maxGlobalSpanFrames, int refreshEveryFrames, boolean newestAfterWarmUp) {

    /** Going on from the frame after the warm-up window. */
    public OnlineSettings(long maxGlobalSpanFrames, int refreshEveryFrames) {
        this(maxGlobalSpanFrames, refreshEveryFrames, false);
    }

    public OnlineSettings {
        if (maxGlobalSpanFrames < 0) {
            throw new BadInputException("maximum global fragment span (--max-global-span) " + maxGlobalSpanFrames
                    + ": must be 0 (none) or a number of frames");
        }
        if (refreshEveryFrames < 0) {
            throw new BadInputException("background refresh interval (--refresh-every) " + refreshEveryFrames
                    + ": must be 0 (never) or a number of frames");
        }
    }

    /** No maximum span; a live background follows drift of up to one grey level a second at 25 fps. */
    public static OnlineSettings defaults() {
        return new OnlineSettings(0, 25);
    }

    /** The defaults, with a live session going on from the newest frame after its warm-up. */
    public static OnlineSettings closedLoop() {
        return new OnlineSettings(0, 25, true);
    }
}
