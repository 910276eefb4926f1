package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZoneCrossingRuleTest {

    private static final Zone CIRCLE = Zone.circle(100, 100, 20);

    @Test
    void entersOnceWhenAnAnimalCrossesIntoTheCircleNotOnEveryFrameInside() {
        var rule = new ZoneCrossingRule("in", CIRCLE, ZoneCrossingRule.Direction.ENTER, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 50, 100)).isEmpty());
        assertEquals(Optional.of(new RuleFiring("in", List.of(1L))), rule.evaluate(frames.next(1, 95, 100)));
        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 105, 100)).isEmpty());
    }

    @Test
    void doesNotFireForAnAnimalAlreadyInsideWhenFirstSeen() {
        var rule = new ZoneCrossingRule("in", CIRCLE, ZoneCrossingRule.Direction.ENTER, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 100, 100)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 101, 100)).isEmpty());
    }

    @Test
    void leavesWhenTheAnimalStepsOutAndNamesEveryAnimalThatDidInTheFrame() {
        var rule = new ZoneCrossingRule("out", CIRCLE, ZoneCrossingRule.Direction.LEAVE, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 100, 100, 2, 110, 100, 3, 10, 10)).isEmpty());
        assertEquals(Optional.of(new RuleFiring("out", List.of(1L, 2L))),
                rule.evaluate(frames.next(1, 100, 130, 2, 140, 100, 3, 12, 10)));
    }

    @Test
    void refractoryPeriodSwallowsEdgesUntilItHasPassed() {
        // 0.5 s refractory at 10 frames per second: silent for the 4 frames after a firing.
        var rule = new ZoneCrossingRule("in", CIRCLE, ZoneCrossingRule.Direction.ENTER, TrackSelection.ANY, 0.5);
        var frames = new TrackFrames(1);
        double[] xs = {50, 100, 50, 100, 50, 50, 50, 100};
        boolean[] fired = new boolean[xs.length];
        for (int i = 0; i < xs.length; i++) {
            fired[i] = rule.evaluate(frames.next(1, xs[i], 100)).isPresent();
        }
        // Frame 1 enters and fires; the re-entry at frame 3 (0.2 s later) is swallowed, not deferred;
        // the entry at frame 7 (0.6 s after the firing) fires.
        assertEquals("[false, true, false, false, false, false, false, true]", Arrays.toString(fired));
    }

    @Test
    void polygonZoneFollowsAConcaveOutline() {
        // An L shape: the notch at (75, 75) is outside.
        Zone l = Zone.polygon(List.of(new double[] {0, 0}, new double[] {100, 0}, new double[] {100, 50},
                new double[] {50, 50}, new double[] {50, 100}, new double[] {0, 100}));
        var rule = new ZoneCrossingRule("l", l, ZoneCrossingRule.Direction.ENTER, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 150, 150)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 75, 75)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 75, 25)).isPresent());
    }

    @Test
    void watchesOnlyTheNamedIdentitiesOnceAModelHasIdentifiedThem() {
        var named = new ZoneCrossingRule("in", CIRCLE, ZoneCrossingRule.Direction.ENTER, new TrackSelection(Set.of(2L)), 0);
        var provisional = new TrackFrames(0);
        assertTrue(named.evaluate(provisional.next(2, 50, 100)).isEmpty());
        assertTrue(named.evaluate(provisional.next(2, 100, 100)).isEmpty(), "fragment ids are not identities");

        var identified = new TrackFrames(3);
        assertTrue(named.evaluate(identified.next(1, 50, 100, 2, 50, 100)).isEmpty());
        assertEquals(List.of(2L), named.evaluate(identified.next(1, 100, 100, 2, 100, 100)).orElseThrow().identities());
    }

    @Test
    void ignoresUnidentifiedTracks() {
        var rule = new ZoneCrossingRule("in", CIRCLE, ZoneCrossingRule.Direction.ENTER, TrackSelection.ANY, 0);
        var frames = new TrackFrames(1);
        assertTrue(rule.evaluate(frames.next(0, 50, 100)).isEmpty());
        assertTrue(rule.evaluate(frames.next(0, 100, 100)).isEmpty());
    }
}
