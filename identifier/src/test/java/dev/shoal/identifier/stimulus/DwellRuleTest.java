package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DwellRuleTest {

    private static final Zone ZONE = Zone.circle(100, 100, 20);

    @Test
    void firesOnceWhenAnAnimalHasStayedLongerThanTheTime() {
        // 0.25 s at 10 frames per second: inside from frame 1 (0.1 s), longer than 0.25 s at frame 4 (0.4 s).
        var rule = new DwellRule("linger", ZONE, 0.25, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);
        List<Long> firingFrames = new ArrayList<>();
        double[] xs = {50, 100, 100, 100, 100, 100, 100};
        for (int i = 0; i < xs.length; i++) {
            if (rule.evaluate(frames.next(1, xs[i], 100)).isPresent()) {
                firingFrames.add((long) i);
            }
        }
        assertEquals(List.of(4L), firingFrames);
    }

    @Test
    void leavingEndsTheStayAndANewStayCountsAfresh() {
        var rule = new DwellRule("linger", ZONE, 0.15, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isPresent());
        assertTrue(rule.evaluate(frames.next(1, 10, 10)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isEmpty());
        assertEquals(List.of(1L), rule.evaluate(frames.next(1, 100, 100)).orElseThrow().identities());
    }

    @Test
    void framesWithoutTheAnimalDoNotEndItsStay() {
        var rule = new DwellRule("linger", ZONE, 0.25, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isEmpty());
        assertTrue(rule.evaluate(frames.next()).isEmpty());
        assertTrue(rule.evaluate(frames.next()).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isPresent());
    }
}
