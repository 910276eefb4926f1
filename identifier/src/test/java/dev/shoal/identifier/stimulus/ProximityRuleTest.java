package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProximityRuleTest {

    @Test
    void firesWhenThePairComesCloserThanTheDistanceAndAgainOnlyAfterParting() {
        var rule = new ProximityRule("close", 1, 2, 30, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 100, 0)).isEmpty());
        assertEquals(List.of(1L, 2L), rule.evaluate(frames.next(1, 0, 0, 2, 29, 0)).orElseThrow().identities());
        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 10, 0)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 30, 0)).isEmpty(), "30 px is not closer than 30 px");
        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 20, 0)).isPresent());
    }

    @Test
    void otherAnimalsCloseByDoNotCount() {
        var rule = new ProximityRule("close", 1, 2, 30, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 100, 0, 3, 50, 0)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 100, 0, 3, 5, 0)).isEmpty());
    }

    @Test
    void aFrameMissingOneOfThePairChangesNothing() {
        var rule = new ProximityRule("close", 1, 2, 30, 0);
        var frames = new TrackFrames(1);

        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 100, 0)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 0, 0)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 10, 0)).isPresent());
    }

    @Test
    void ignoresProvisionalFramesWhoseIdentitiesAreFragments() {
        var rule = new ProximityRule("close", 1, 2, 30, 0);
        var frames = new TrackFrames(0);

        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 100, 0)).isEmpty());
        assertTrue(rule.evaluate(frames.next(1, 0, 0, 2, 10, 0)).isEmpty());
    }
}
