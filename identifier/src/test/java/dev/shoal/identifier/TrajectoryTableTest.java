package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.IdentityCorrection;
import dev.shoal.core.proto.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryTableTest {

    private static FrameTracks frame(long index, Track... tracks) {
        return FrameTracks.newBuilder().setSession("s").setIndex(index).setMediaTimeS(index * 0.1)
                .addAllTracks(List.of(tracks)).build();
    }

    private static Track track(long identity, long fragment, double x, double y) {
        return Track.newBuilder().setIdentity(identity).setFragment(fragment).setX(x).setY(y).setConfidence(0.9).build();
    }

    @Test
    void appliesACorrectionOnlyToItsFragmentWithinItsSpan() {
        TrajectoryTable table = new TrajectoryTable();
        table.add(frame(0, track(1, 10, 0, 0), track(2, 20, 5, 5)));
        table.add(frame(1, track(1, 10, 1, 0), track(2, 20, 5, 6)));
        table.add(frame(2, track(2, 10, 2, 0), track(1, 21, 5, 7)));
        table.apply(IdentityCorrection.newBuilder().setFragment(10).setFirstFrame(0).setLastFrame(1)
                .setOldIdentity(1).setNewIdentity(2).build());
        table.apply(IdentityCorrection.newBuilder().setFragment(20).setFirstFrame(0).setLastFrame(1)
                .setOldIdentity(2).setNewIdentity(1).build());
        List<TrajectoryTable.Row> rows = table.processed(TrajectoryPostProcessor.Options.defaults(0)).rows();
        assertEquals(List.of(1L, 2L, 1L, 2L, 1L, 2L), rows.stream().map(r -> r.track().getIdentity()).toList());
        assertEquals(List.of(20L, 10L, 20L, 10L, 21L, 10L), rows.stream().map(r -> r.track().getFragment()).toList());
    }

    @Test
    void interpolatesAnIdentityThroughACrossingUpToTheGapLimit() {
        TrajectoryTable table = new TrajectoryTable();
        table.add(frame(0, track(1, 10, 0, 0)));
        table.add(frame(1, track(0, 99, 5, 5)));
        table.add(frame(2, track(0, 99, 5, 5)));
        table.add(frame(3, track(0, 99, 5, 5)));
        table.add(frame(4, track(1, 11, 8, 4)));
        List<TrajectoryTable.Row> rows = table.processed(TrajectoryPostProcessor.Options.defaults(3)).rows();
        List<TrajectoryTable.Row> filled = rows.stream().filter(r -> r.track().getInterpolated()).toList();
        assertEquals(List.of(1L, 2L, 3L), filled.stream().map(TrajectoryTable.Row::frame).toList());
        assertEquals(4.0, filled.get(1).track().getX(), 1e-9);
        assertEquals(2.0, filled.get(1).track().getY(), 1e-9);
        assertEquals(0.2, filled.get(1).timeS(), 1e-9);
        assertTrue(filled.stream().allMatch(r -> r.track().getIdentity() == 1));
        assertFalse(table.processed(new TrajectoryPostProcessor.Options(2, 0, 99, 3, 3)).rows().stream()
                        .anyMatch(r -> r.track().getInterpolated()),
                "a gap of 3 frames is over a limit of 2, and crossings are bridged no longer");
        assertEquals(3, table.processed(TrajectoryPostProcessor.Options.defaults(2)).repairs().rowsInterpolated(),
                "a gap spent inside a crossing is bridged up to 2 s (20 frames at these 10 fps)");
    }

    @Test
    void writesTheWideCsvWithOneLinePerFrameAndNanForMissingIdentities(@TempDir Path dir) throws IOException {
        TrajectoryTable table = new TrajectoryTable();
        table.add(frame(0, track(2, 20, 5, 6), track(1, 10, 1.5, 2)));
        table.add(frame(1, track(2, 20, 7, 8), track(0, 30, 3, 3)));
        Path wide = dir.resolve("trajectories_wide.csv");
        TrajectoryTable.writeWide(table.processed(TrajectoryPostProcessor.Options.defaults(0)).rows(), wide);
        assertEquals(List.of("time,x1,y1,x2,y2", "0.000000,1.500,2.000,5.000,6.000", "0.100000,NaN,NaN,7.000,8.000"),
                Files.readAllLines(wide));
        assertEquals(List.of("trajectories_wide.csv"), Files.list(dir).map(p -> p.getFileName().toString()).toList(),
                "no temporary file left");
    }
}
