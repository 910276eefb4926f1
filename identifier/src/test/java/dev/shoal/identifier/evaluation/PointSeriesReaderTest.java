package dev.shoal.identifier.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PointSeriesReaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private String errorOf(Path file, PointColumns columns) {
        BadInputException e = assertThrows(BadInputException.class, () -> PointSeriesReader.read(file, columns));
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsArenaTruthWithTouchingFlags() throws IOException {
        Path file = write("truth.csv", "frame,identity,x,y,angle,touching\n0,0,1.5,2,0.1,0\n0,1,10,20,0.2,1\n1,0,2,3,0,0\n");
        FrameSeries<PointObservation> s = PointSeriesReader.read(file, PointColumns.shoalDefaults("--truth"));
        assertEquals(3, s.size());
        assertEquals(List.of("0", "1"), s.identities());
        assertEquals(new PointObservation(1, 10, 20, true), s.frames().get(0L).get(1));
    }

    @Test
    void skipsUnidentifiedRowsOfShoalTrajectoriesOnly() throws IOException {
        String header = "frame,time_s,identity,x,y,angle,confidence,fragment,interpolated\n";
        Path file = write("trajectories.csv", header + "0,0,1,5,5,0,1,3,0\n0,0,0,9,9,0,0,4,0\n0,0,0,12,12,0,0,5,0\n");
        FrameSeries<PointObservation> s = PointSeriesReader.read(file, PointColumns.shoalDefaults("--tracks"));
        assertEquals(1, s.size(), "the two unidentified positions are not identity '0'");
        assertEquals(List.of("1"), s.identities());
    }

    @Test
    void mapsSleapColumnsAndSkipsNanRows() throws IOException {
        Path file = write("sleap.csv", "frame,track_id,track_name,thorax_x,thorax_y\n0,0,female,1,2\n0,1,male,nan,nan\n1,1,male,3,4\n");
        FrameSeries<PointObservation> s = PointSeriesReader.read(file,
                new PointColumns("frame", "track_id", "thorax_x", "thorax_y", null, "--truth"));
        assertEquals(2, s.size());
        assertEquals(1, s.frames().get(0L).size());
        assertEquals(false, s.frames().get(0L).get(0).touching());
    }

    @Test
    void readsTracktorsOneBasedDecimalFramesAsTheVideosZeroBasedFrames() throws IOException {
        Path file = write("tracktor.csv", ",frame,pos_x,pos_y,id\n0,1.0,10,20,A\n1,1.0,30,40,B\n2,2.0,11,21,A\n");
        FrameSeries<PointObservation> s = PointSeriesReader.read(file,
                new PointColumns("frame", "id", "pos_x", "pos_y", null, "--truth", 1));
        assertEquals(List.of(0L, 1L), List.copyOf(s.frames().keySet()));
        assertEquals(2, s.frames().get(0L).size());
        assertEquals(List.of("A", "B"), s.identities());
        Path early = write("early.csv", ",frame,pos_x,pos_y,id\n0,0.0,10,20,A\n");
        assertTrue(errorOf(early, new PointColumns("frame", "id", "pos_x", "pos_y", null, "--truth", 1))
                .contains("comes before the first frame, 1"));
        Path fraction = write("fraction.csv", "frame,identity,x,y\n1.5,0,1,2\n");
        assertTrue(errorOf(fraction, PointColumns.shoalDefaults("--truth")).contains("not an integer frame index"));
    }

    @Test
    void namesTheMissingColumnAndTheOptionThatMapsIt() throws IOException {
        Path file = write("t.csv", "frame,track_id,x,y\n0,0,1,2\n");
        String message = errorOf(file, PointColumns.shoalDefaults("--truth"));
        assertTrue(message.contains("line 1") && message.contains("'identity'") && message.contains("--truth-id"), message);
    }

    @Test
    void namesLineAndColumnOfANonNumericValue() throws IOException {
        Path file = write("t.csv", "frame,identity,x,y\n0,0,1,2\n\n1,0,abc,2\n");
        String message = errorOf(file, PointColumns.shoalDefaults("--tracks"));
        assertTrue(message.contains("line 4, column 3 (x)") && message.contains("'abc' is not a number"), message);
    }

    @Test
    void rejectsHexadecimalAndInfiniteNumbers() throws IOException {
        Path hex = write("hex.csv", "frame,identity,x,y\n0,0,0x1p3,2\n");
        assertTrue(errorOf(hex, PointColumns.shoalDefaults("--tracks")).contains("column 3 (x)"));
        Path inf = write("inf.csv", "frame,identity,x,y\n0,0,1,Infinity\n");
        assertTrue(errorOf(inf, PointColumns.shoalDefaults("--tracks")).contains("column 4 (y)"));
    }

    @Test
    void namesLineAndColumnOfANegativeFrame() throws IOException {
        Path file = write("t.csv", "frame,identity,x,y\n0,0,1,2\n-3,0,1,2\n");
        String message = errorOf(file, PointColumns.shoalDefaults("--truth"));
        assertTrue(message.contains("line 3, column 1 (frame)") && message.contains("negative frame -3"), message);
    }

    @Test
    void rejectsAnEmptyFile() throws IOException {
        Path file = write("empty.csv", "");
        assertTrue(errorOf(file, PointColumns.shoalDefaults("--truth")).contains("line 1: empty file"));
    }

    @Test
    void rejectsAMissingFile() {
        assertTrue(errorOf(dir.resolve("absent.csv"), PointColumns.shoalDefaults("--truth")).contains("no such file"));
    }

    @Test
    void rejectsAShortLine() throws IOException {
        Path file = write("t.csv", "frame,identity,x,y\n0,0,1\n");
        assertTrue(errorOf(file, PointColumns.shoalDefaults("--truth")).contains("line 2, column 4 (y): missing"));
    }

    @Test
    void rejectsABadTouchingFlag() throws IOException {
        Path file = write("t.csv", "frame,identity,x,y,touching\n0,0,1,2,yes\n");
        assertTrue(errorOf(file, PointColumns.shoalDefaults("--truth")).contains("line 2, column 5 (touching)"));
    }

    @Test
    void rejectsOneIdentityTwiceInAFrame() throws IOException {
        Path file = write("t.csv", "frame,identity,x,y\n0,0,1,2\n0,0,5,6\n");
        assertTrue(errorOf(file, PointColumns.shoalDefaults("--truth")).contains("line 3, column 2 (identity)"));
    }
}
