package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void readerWaitsWhenTheQueueIsFull_nothingIsDropped() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        try (FrameReadAhead ahead = new FrameReadAhead(frames(100, reads, null), 4)) {
            Thread reader = ahead.start();
            awaitBlocked(reader);
            // Four queued and the fifth in hand, waiting for room.
            assertEquals(5, reads.get());
            for (int i = 0; i < 100; i++) {
                assertEquals(i, ahead.next().index());
            }
            assertNull(ahead.next());
        }
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
        while (ahead.next() != null) {
            seen++;
        }
        assertEquals(2, seen);
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
