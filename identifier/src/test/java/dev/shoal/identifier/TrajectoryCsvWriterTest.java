package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryCsvWriterTest {

    @TempDir
    Path temp;

    private static FrameTracks frame(long index) {
        return FrameTracks.newBuilder().setIndex(index).setMediaTimeS(index / 25.0)
                .addTracks(Track.newBuilder().setIdentity(3).setX(10.25).setY(20.5).setAngle(-0.5)
                        .setConfidence(0.75).setFragment(7))
                .addTracks(Track.newBuilder().setIdentity(4).setX(1).setY(2).setFragment(8).setInterpolated(true))
                .build();
    }

    @Test
    void writesOneRowPerTrackUnderTheHeaderOnlyAfterCommit() throws Exception {
        Path csv = temp.resolve("trajectories.csv");
        try (TrajectoryCsvWriter writer = new TrajectoryCsvWriter(csv)) {
            writer.write(frame(0));
            writer.write(frame(1));
            assertFalse(Files.exists(csv), "no file under the final name before commit");
            writer.commit();
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(List.of(TrajectoryCsvWriter.HEADER,
                "0,0.000000,3,10.250,20.500,-0.5000,0.7500,7,0",
                "0,0.000000,4,1.000,2.000,0.0000,0.0000,8,1",
                "1,0.040000,3,10.250,20.500,-0.5000,0.7500,7,0",
                "1,0.040000,4,1.000,2.000,0.0000,0.0000,8,1"), lines);
        try (var files = Files.list(temp)) {
            assertEquals(1, files.count(), "temporary file renamed, not left behind");
        }
    }

    @Test
    void discardsTheTemporaryFileWhenClosedWithoutCommitAndKeepsAnOlderResult() throws Exception {
        Path csv = temp.resolve("trajectories.csv");
        Files.writeString(csv, "previous run\n");
        try (TrajectoryCsvWriter writer = new TrajectoryCsvWriter(csv)) {
            writer.write(frame(0));
        }
        assertEquals("previous run\n", Files.readString(csv));
        try (var files = Files.list(temp)) {
            assertTrue(files.allMatch(csv::equals));
        }
    }
}
