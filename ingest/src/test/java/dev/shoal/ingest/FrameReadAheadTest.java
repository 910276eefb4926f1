package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameReadAheadTest {

    private static VideoFrame frame(long index) {
        return new VideoFrame(index, index / 25.0, index, index, 2, 1, new byte[] {(byte) index, 0});
    }

    /** A source of {@code count} frames that then fails with {@code failure} (or ends when it is null). */
    private static FrameReadAhead.Reader frames(int count, AtomicInteger reads, IOException failure) {
        return () -> {
            int i = reads.getAndIncrement();
            if (i < count) {
                return frame(i);
            }
            if (failure != null) {
                throw failure;
            }
            return null;
        };
    }

    private static void awaitBlocked(Thread thread) {
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING
                && thread.isAlive()) {
            Thread.onSpinWait();
        }
    }

    @Test
    void framesComeOutInOrder_thenTheEnd() throws Exception {
        try (FrameReadAhead ahead = new FrameReadAhead(frames(10, new AtomicInteger(), null), 3)) {
            ahead.start();
            for (int i = 0; i < 10; i++) {
                assertEquals(i, ahead.next().index());
            }
            assertNull(ahead.next());
            assertNull(ahead.next());
        }
    }

    @Test
    void readerNeverGetsMoreThanItsCapacityAhead_nothingIsDropped() throws Exception {
        AtomicInteger consumed = new AtomicInteger();
        AtomicInteger mostAhead = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        FrameReadAhead.Reader counting = () -> {
            int i = reads.getAndIncrement();
            mostAhead.accumulateAndGet(i - consumed.get(), Math::max);
            return i < 200 ? frame(i) : null;
        };
        try (FrameReadAhead ahead = new FrameReadAhead(counting, 4)) {
            ahead.start();
            for (int i = 0; i < 200; i++) {
                assertEquals(i, ahead.next().index());
                consumed.incrementAndGet();
            }
            assertNull(ahead.next());
        }
        // Four queued and a fifth in hand, waiting for room.
        assertTrue(mostAhead.get() <= 5, "read ahead by " + mostAhead.get());
    }

    @Test
    void sourceFailureComesAfterTheFramesReadBeforeIt() throws Exception {
        IOException damage = new IOException("damaged at frame 7");
        try (FrameReadAhead ahead = new FrameReadAhead(frames(7, new AtomicInteger(), damage), 2)) {
            ahead.start();
            for (int i = 0; i < 7; i++) {
                assertEquals(i, ahead.next().index());
            }
            assertSame(damage, assertThrows(IOException.class, ahead::next));
            assertNull(ahead.next());
        }
    }

    @Test
    void interruptingTheReaderEndsTheFrames_andCloseWaitsForIt() throws Exception {
        FrameReadAhead ahead = new FrameReadAhead(frames(1_000, new AtomicInteger(), null), 2);
        Thread reader = ahead.start();
        awaitBlocked(reader);
        reader.interrupt();
        int seen = 0;
        VideoFrame f;
        while ((f = ahead.next()) != null) {
            assertEquals(seen++, f.index());
        }
        assertTrue(seen < 1_000, "stopped early, after " + seen);
        ahead.close();
        assertFalse(reader.isAlive());
    }

    @Test
    void closeWhileTheReaderWaitsStopsIt() throws Exception {
        FrameReadAhead ahead = new FrameReadAhead(frames(1_000, new AtomicInteger(), null), 1);
        Thread reader = ahead.start();
        awaitBlocked(reader);
        ahead.close();
        assertFalse(reader.isAlive());
    }
}
