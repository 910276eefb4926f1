package dev.shoal.identifier.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mot15ReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsBoxesAndIgnoresTrailingFields() throws IOException {
        Path file = Files.writeString(dir.resolve("gt.txt"), "1,3,113.84,274.5,57.307,130.05,-1,-1,-1,-1\n2,3,1,2,3,4\n");
        FrameSeries<BoxObservation> s = Mot15Reader.read(file);
        assertEquals(2, s.size());
        assertEquals(new BoxObservation(0, 113.84, 274.5, 57.307, 130.05), s.frames().get(1L).get(0));
    }

    @Test
    void computesIntersectionOverUnion() {
        BoxObservation a = new BoxObservation(0, 0, 0, 10, 10);
        assertEquals(25.0 / 175, a.iou(new BoxObservation(1, 5, 5, 10, 10)), 1e-12);
        assertEquals(0, a.iou(new BoxObservation(1, 10, 0, 10, 10)));
    }

    @Test
    void namesLineAndColumnOfABadValue() throws IOException {
        Path file = Files.writeString(dir.resolve("t.txt"), "1,3,1,2,3,4\n2,3,1,x,3,4\n");
        BadInputException e = assertThrows(BadInputException.class, () -> Mot15Reader.read(file));
        assertTrue(e.getMessage().contains("line 2, column 4 (top)"), e.getMessage());
    }

    @Test
    void rejectsNegativeSize() throws IOException {
        Path file = Files.writeString(dir.resolve("t.txt"), "1,3,1,2,-3,4\n");
        BadInputException e = assertThrows(BadInputException.class, () -> Mot15Reader.read(file));
        assertTrue(e.getMessage().contains("line 1, column 5 (width)"), e.getMessage());
    }
}
