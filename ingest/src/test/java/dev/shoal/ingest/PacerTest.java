package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PacerTest {

    /** A clock that only moves when slept on, plus any delay a test injects to play a late wake-up. */
    private static final class ManualClock implements Pacer.Clock {
        long now = 1_000_000_000L;
        long lateWakeUp;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            now += nanos + lateWakeUp;
            lateWakeUp = 0;
        }
    }

    @Test
    void firstEventIsReleasedAtOnceAndLaterOnesAtTheirRecordedOffsets() throws Exception {
        ManualClock clock = new ManualClock();
        Pacer pacer = new Pacer(1, clock);
        long origin = pacer.awaitDue(5_000_000_000L);
        assertEquals(1_000_000_000L, origin);
        assertEquals(origin + 40_000_000L, pacer.awaitDue(5_040_000_000L));
        assertEquals(origin + 63_000_000L, pacer.awaitDue(5_063_000_000L));
    }

    @Test
    void twiceTheSpeedHalvesEveryGap() throws Exception {
        ManualClock clock = new ManualClock();
        Pacer pacer = new Pacer(2, clock);
        long origin = pacer.awaitDue(0);
        assertEquals(origin + 20_000_000L, pacer.awaitDue(40_000_000L));
        assertEquals(origin + 50_000_000L, pacer.awaitDue(100_000_000L));
    }

    @Test
    void aLateWakeUpDoesNotDelayTheEventsAfterIt() throws Exception {
        ManualClock clock = new ManualClock();
        Pacer pacer = new Pacer(1, clock);
        long origin = pacer.awaitDue(0);
        clock.lateWakeUp = 15_000_000L;
        assertEquals(origin + 48_000_000L, pacer.awaitDue(33_000_000L), "released late by the scheduler");
        assertEquals(origin + 66_000_000L, pacer.awaitDue(66_000_000L), "back on the recorded schedule");
    }

    @Test
    void anEventAlreadyOverdueIsReleasedWithoutSleeping() throws Exception {
        ManualClock clock = new ManualClock();
        Pacer pacer = new Pacer(1, clock);
        long origin = pacer.awaitDue(0);
        clock.now += 500_000_000L;
        assertEquals(origin + 500_000_000L, pacer.awaitDue(100_000_000L));
    }
}
