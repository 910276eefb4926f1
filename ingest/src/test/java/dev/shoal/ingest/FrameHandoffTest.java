package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FrameHandoffTest {

    private static VideoFrame frame(long index) {
        return new VideoFrame(index, index / 30.0, index, index, 2, 1, new byte[2]);
    }

    @Test
    void fullQueueDropsTheOldestFramesAndNeverHoldsMoreThanItsCapacity() throws Exception {
        FrameHandoff handoff = new FrameHandoff(3);
        int dropped = 0;
        for (int i = 0; i < 10; i++) {
            dropped += handoff.put(frame(i));
        }
        assertEquals(7, dropped);
        assertEquals(7, handoff.dropped());
        assertEquals(3, handoff.peakDepth());
        assertEquals(7, handoff.take(0).index(), "the freshest frames are kept");
        assertEquals(8, handoff.take(0).index());
        assertEquals(9, handoff.take(0).index());
        assertNull(handoff.take(0));
    }

    @Test
    void discardedFramesCountAsDropped() {
        FrameHandoff handoff = new FrameHandoff(4);
        handoff.put(frame(0));
        handoff.put(frame(1));
        assertEquals(2, handoff.discard());
        assertEquals(2, handoff.dropped());
        assertEquals(0, handoff.depth());
    }
}
