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
 */
public record OnlineSettings(long maxGlobalSpanFrames, int refreshEveryFrames) {

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
}
