package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A live session's background follows a slow lighting drift; a file's, built once, does not. */
class LiveBackgroundRefreshTest {

    private static final int W = 200;
    private static final int H = 160;
    private static final int FRAMES = 400;
    private static final SegmentationSettings SETTINGS = new SegmentationSettings(Polarity.DARK_ON_LIGHT, 20, 20, 1000, 0);
    /** A one-second warm-up at 25 fps, two animals, no crops. */
    private static final WarmUp WARM_UP = new WarmUp(1, 25, 0, 2, false);

    private static final byte[][] FRAMES_SEEN = new byte[FRAMES][];

    /** The light dims by 40 grey levels over the session (one level every 10 frames), two bodies swim. */
    private static byte[] frame(int t) {
        if (FRAMES_SEEN[t] == null) {
            FRAMES_SEEN[t] = new SyntheticFrame(W, H, 200 - t / 10)
                    .ellipse(40 + 0.3 * t, 50, 14, 5, 0, 60)
                    .ellipse(160 - 0.3 * t, 110, 14, 5, 30, 60)
                    .pixels(2, t);
        }
        return FRAMES_SEEN[t];
    }

    /** Frames segmented after the warm-up that do not show exactly the two bodies. */
    private static int framesWithoutTheTwoBodies(long frameCount, OnlineSettings online, int[] lastBackground) {
        int wrong = 0;
        try (SessionSegmenter session = new SessionSegmenter(W, H, 25, frameCount, 0, SETTINGS, WARM_UP, online)) {
            int t = 0;
            while (!session.ready()) {
                session.warmUpWith(t, frame(t), false);
                t++;
            }
            for (; t < FRAMES; t++) {
                if (session.segment(t, ByteBuffer.wrap(frame(t))).blobs().size() != 2) {
                    wrong++;
                }
            }
            lastBackground[0] = session.background()[0] & 0xFF;
        }
        return wrong;
    }

    @Test
    void aLiveSessionRefreshingItsBackgroundSeesOnlyTheAnimalsThroughoutALightingDrift() {
        int[] background = new int[1];
        assertEquals(0, framesWithoutTheTwoBodies(0, new OnlineSettings(0, 5), background));
        assertTrue(Math.abs(background[0] - (200 - (FRAMES - 1) / 10)) <= 2,
                "the background followed the light down to " + background[0]);
    }

    @Test
    void withoutRefreshTheDriftTurnsTheWholeArenaIntoForeground() {
        int[] background = new int[1];
        int wrong = framesWithoutTheTwoBodies(FRAMES, new OnlineSettings(0, 5), background);
        assertTrue(wrong > 100, "a file's background is never refreshed: " + wrong + " frames wrong");
        assertTrue(background[0] >= 198, "the warm-up's background stays: " + background[0]);
        assertTrue(framesWithoutTheTwoBodies(0, new OnlineSettings(0, 0), background) > 100,
                "a live session with refresh off drifts too");
    }
}
