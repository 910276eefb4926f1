package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Where a session goes on after its warm-up (file: its first frame; live: the next one) and how it ends without an image. */
class SessionSegmenterWarmUpEndTest {

    private static final int W = 200;
    private static final int H = 160;
    private static final SegmentationSettings SETTINGS = new SegmentationSettings(Polarity.DARK_ON_LIGHT, 20, 20, 1000, 0);
    /** One second at 25 fps: frames 10..34 of a session that starts at frame 10; two animals, crops on. */
    private static final WarmUp WARM_UP = new WarmUp(1, 25, 32, 2, false);
    private static final long FIRST = 10;

    private static byte[] frame(long t) {
        return new SyntheticFrame(W, H, 200)
                .ellipse(40 + t, 50, 14, 5, 0, 60)
                .ellipse(160 - t, 110, 14, 5, 30, 60)
                .pixels(2, (int) t);
    }

    private static SessionSegmenter warmedUp(long frameCount) {
        SessionSegmenter session = new SessionSegmenter(W, H, 25, frameCount, FIRST, SETTINGS, WARM_UP);
        long t = FIRST;
        while (!session.warmUpWith(t, frame(t), false)) {
            t++;
        }
        assertEquals(FIRST + 24, t, "the window is 25 frames");
        return session;
    }

    @Test
    void aFileSessionSegmentsFromItsFirstFrameAfterTheWarmUp() {
        try (SessionSegmenter session = warmedUp(1000)) {
            assertFalse(session.live());
            assertEquals(FIRST, session.nextIndex());
            assertEquals(2, session.segment(FIRST, ByteBuffer.wrap(frame(FIRST))).blobs().size());
        }
    }

    @Test
    void aLiveSessionGoesOnFromTheFrameAfterItsWarmUpAndEndsWithoutAnImage() {
        try (SessionSegmenter session = warmedUp(0)) {
            assertTrue(session.live());
            long next = FIRST + 25;
            assertEquals(next, session.nextIndex());
            assertThrows(IllegalStateException.class, () -> session.segment(FIRST, ByteBuffer.wrap(frame(FIRST))),
                    "the warm-up frames are behind it");
            SessionSegmenter.SegmentedFrame first = session.segment(next, ByteBuffer.wrap(frame(next)));
            assertEquals(2, first.blobs().size());
            assertEquals(first.fragments()[0] + 1, first.fragments()[1], "fragments start at the first segmented frame");
            assertTrue(session.globalFragments(first, false).isEmpty());
            for (long t = next + 1; t < next + 10; t++) {
                assertTrue(session.globalFragments(session.segment(t, ByteBuffer.wrap(frame(t))), false).isEmpty());
            }
            SessionSegmenter.SegmentedFrame end = session.end(next + 10);
            assertEquals(0, end.blobs().size());
            assertEquals(next + 11, session.nextIndex());
            var globals = session.globalFragments(end, true);
            assertEquals(1, globals.size(), "the two animals' fragments make one global fragment, released by the end");
            assertEquals(next, globals.get(0).firstFrame());
            assertEquals(next + 9, globals.get(0).lastFrame());
        }
    }

    @Test
    void aLiveSessionStoppedInItsWarmUpBuildsItsBackgroundFromTheSamplesSoFarAndEnds() {
        try (SessionSegmenter session = new SessionSegmenter(W, H, 25, 0, FIRST, SETTINGS, WARM_UP)) {
            for (long t = FIRST; t < FIRST + 5; t++) {
                assertFalse(session.warmUpWith(t, frame(t), false));
            }
            assertTrue(session.warmUpWith(FIRST + 5, null, true), "the end marker completes the warm-up");
            assertEquals(FIRST, session.nextIndex(), "the end is still to be passed on");
            assertEquals(0, session.end(FIRST + 5).blobs().size());
        }
    }

    @Test
    void aLiveSessionEndedBeforeAnyFrameHasNoBackgroundButStillEnds() {
        try (SessionSegmenter session = new SessionSegmenter(W, H, 25, 0, FIRST, SETTINGS, WARM_UP)) {
            assertFalse(session.warmUpWith(FIRST, null, true));
            assertFalse(session.ready());
            assertEquals(0, session.end(FIRST).blobs().size());
            assertEquals(FIRST + 1, session.nextIndex());
        }
    }
}
