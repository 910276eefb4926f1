package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import dev.shoal.core.RegionOfInterest;
import org.junit.jupiter.api.Test;

class SpecOptionsTest {

    @Test
    void positionIsAFrameIndexOrATime() {
        assertEquals(StreamPosition.ofFrame(120), StreamPosition.parse("--start", "120"));
        assertEquals(4.5, StreamPosition.parse("--start", "4.5s").seconds(), 1e-9);
        assertEquals(90, StreamPosition.parse("--start", "1:30").seconds(), 1e-9);
        assertEquals(3690.25, StreamPosition.parse("--start", "1:01:30.25").seconds(), 1e-9);
        BadInputException e = assertThrows(BadInputException.class, () -> StreamPosition.parse("--from", "soon"));
        assertTrue(e.getMessage().startsWith("--from soon: give a frame index"), e.getMessage());
    }

    @Test
    void positionComparesByIndexOrByTime() {
        assertTrue(StreamPosition.ofFrame(10).isAfter(9, 100));
        assertFalse(StreamPosition.ofFrame(10).isAfter(10, 0));
        assertTrue(StreamPosition.ofSeconds(2).isAfter(1000, 1.99));
        assertFalse(StreamPosition.ofSeconds(2).isAfter(0, 2.0));
    }

    @Test
    void regionIsFourNonNegativeNumbers() {
        assertEquals(new RegionOfInterest(1, 2, 30, 40), RegionOfInterest.parse("--roi", "1, 2,30,40"));
        assertThrows(BadInputException.class, () -> RegionOfInterest.parse("--roi", "1,2,0,4"));
        assertThrows(BadInputException.class, () -> RegionOfInterest.parse("--roi", "10x10"));
    }

    @Test
    void speedIsAMultipleOrMax() {
        assertEquals(2, ReplaySpeed.parse("2x").factor(), 1e-9);
        assertEquals(0.5, ReplaySpeed.parse("0.5x").factor(), 1e-9);
        assertFalse(ReplaySpeed.parse("max").paced());
        BadInputException e = assertThrows(BadInputException.class, () -> ReplaySpeed.parse("0x"));
        assertTrue(e.getMessage().startsWith("--speed 0x"), e.getMessage());
    }

    @Test
    void optionsRefuseAnEndBeforeTheStartAndAZeroStride() {
        assertThrows(BadInputException.class, () -> SourceOptions.defaults().withStride(0));
        BadInputException e = assertThrows(BadInputException.class, () -> SourceOptions.defaults()
                .withRange(StreamPosition.ofFrame(50), StreamPosition.ofFrame(20)));
        assertTrue(e.getMessage().contains("must come after --start 50"), e.getMessage());
    }
}
