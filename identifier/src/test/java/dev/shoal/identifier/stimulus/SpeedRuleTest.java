package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpeedRuleTest {

    @Test
    void firesWhenAnAnimalSpeedsUpPastTheThreshold() {
        // Frames are 0.1 s apart: 5 px per frame is 50 px/s, 20 px per frame is 200 px/s.
        var rule = new SpeedRule("dash", 100, SpeedRule.Bound.ABOVE, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 0, 0)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 5, 0)).isEmpty());
        assertEquals(List.of(1L), rule.evaluate(frames.next(1, 25, 0)).orElseThrow().identities());
        assertTrue(rule.evaluate(frames.next(1, 45, 0)).isEmpty(), "still fast: no new edge");
        assertTrue(rule.evaluate(frames.next(1, 50, 0)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 70, 0)).isPresent());
    }

    @Test
    void belowFiresWhenAnAnimalStops() {
        var rule = new SpeedRule("freeze", 10, SpeedRule.Bound.BELOW, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 0, 50)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 10, 0, 2, 0, 60)).isEmpty());
        assertEquals(List.of(2L), rule.evaluate(frames.next(1, 20, 0, 2, 0, 60.5)).orElseThrow().identities());
    }

    @Test
    void measuresSpeedOverTheMediaTimeBetweenObservations() {
        // Unseen for 4 frames, then 40 px further: 40 px / 0.5 s = 80 px/s, below 100.
        var rule = new SpeedRule("dash", 100, SpeedRule.Bound.ABOVE, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        rule.evaluate(frames.next(1, 0, 0));
        rule.evaluate(frames.next(1, 1, 0));
        for (int i = 0; i < 4; i++) {
            rule.evaluate(frames.next());
        }
        assertTrue(rule.evaluate(frames.next(1, 41, 0)).isEmpty());
    }
}
