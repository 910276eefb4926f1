package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrajectoryStatsTest {

    @Test
    void countsFramesByTrackCountAndReportsLatencyQuantiles() {
        TrajectoryStats stats = new TrajectoryStats();
        for (int i = 1; i <= 2000; i++) {
            stats.add(i % 10 == 0 ? 3 : 4, i * 1_000_000L);
        }
        assertEquals(2000, stats.frames());
        assertEquals(200 * 3 + 1800 * 4, stats.rows());
        assertEquals(Map.of(3, 200L, 4, 1800L), stats.framesByTrackCount());
        assertEquals(0.9, stats.fractionWithExactly(4), 1e-12);
        assertEquals(1000.0, stats.latencyMillis(0.5), 1e-9);
        assertEquals(1980.0, stats.latencyMillis(0.99), 1e-9);
        assertEquals(2000.0, stats.latencyMillis(1.0), 1e-9);
    }
}
