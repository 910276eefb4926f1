package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
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

    @Test
    void identifiedShareCountsOnlyTracksAModelGaveAnIdentity() {
        TrajectoryStats stats = new TrajectoryStats();
        FrameTracks provisional = frame(0, 5, 6);
        FrameTracks oneUnplaced = frame(2, 1, 0);
        FrameTracks both = frame(2, 1, 2);
        assertEquals(0, TrajectoryStats.identified(provisional), "model version 0: fragment ids, not identities");
        assertEquals(1, TrajectoryStats.identified(oneUnplaced), "identity 0 is a position no identity was given to");
        stats.add(provisional, 0);
        stats.add(oneUnplaced, 0);
        stats.add(both, 0);
        assertEquals(3.0 / 6, stats.identifiedShare(2), 1e-12);
        assertEquals(0, new TrajectoryStats().identifiedShare(2));
    }

    private static FrameTracks frame(long modelVersion, int... identities) {
        FrameTracks.Builder frame = FrameTracks.newBuilder().setModelVersion(modelVersion);
        for (int identity : identities) {
            frame.addTracks(Track.newBuilder().setIdentity(identity));
        }
        return frame.build();
    }
}
