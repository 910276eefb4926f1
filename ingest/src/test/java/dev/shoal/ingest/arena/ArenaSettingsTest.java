package dev.shoal.ingest.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import org.junit.jupiter.api.Test;

class ArenaSettingsTest {

    @Test
    void parsesALiveSourceSpec() {
        ArenaSettings s = ArenaSettings.parse("arena:animals=10,seed=3,size=640x480,fps=60,difficulty=hard,frames=0");
        assertEquals(10, s.animals());
        assertEquals(3, s.seed());
        assertEquals(640, s.width());
        assertEquals(480, s.height());
        assertEquals(60, s.fps());
        assertEquals(Difficulty.HARD, s.difficulty());
        assertEquals(0, s.frames());
        assertEquals(0.045 * 480, s.bodyLength(), 1e-9);
    }

    @Test
    void rejectsMalformedSpecsNamingThePart() {
        assertMessage(() -> ArenaSettings.parse("arena:animals"), "not key=value");
        assertMessage(() -> ArenaSettings.parse("arena:colour=red"), "unknown key 'colour'");
        assertMessage(() -> ArenaSettings.parse("arena:size=big"), "bad value 'big' for size");
        assertMessage(() -> ArenaSettings.parse("arena:difficulty=brutal"), "bad value 'brutal' for difficulty");
        assertMessage(() -> ArenaSettings.parse("camera:1"), "not an arena spec");
    }

    @Test
    void rejectsImpossibleArenasNamingTheOption() {
        assertMessage(() -> new ArenaSettings(0, 10, 640, 640, 30, 1, Difficulty.EASY, 0), "--animals 0");
        assertMessage(() -> new ArenaSettings(2, 10, 32, 640, 30, 1, Difficulty.EASY, 0), "--size 32 640");
        assertMessage(() -> new ArenaSettings(400, 10, 200, 200, 30, 1, Difficulty.EASY, 0), "too many");
        assertMessage(() -> new ArenaSettings(2, 10, 640, 640, 0, 1, Difficulty.EASY, 0), "--fps");
    }

    private static void assertMessage(Runnable action, String expected) {
        BadInputException e = assertThrows(BadInputException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
