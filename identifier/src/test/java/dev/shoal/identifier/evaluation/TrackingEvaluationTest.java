package dev.shoal.identifier.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** Point tracking scenarios whose scores are worked out by hand. */
class TrackingEvaluationTest {

    private static final double TOLERANCE = 1e-9;
    private static final int FRAMES = 100;

    /** Animal a sits at (100 a + 50, 200 + frame) with a little wobble: far apart, moving. */
    private static double x(int animal, long frame) {
        return 100.0 * animal + 50 + 3 * Math.sin(frame * 0.3 + animal);
    }

    private static double y(int animal, long frame) {
        return 200.0 + frame;
    }

    private interface IdentityOf {
        int at(int animal, long frame);
    }

    /** Positions of every animal in every frame, identity given per animal and frame. */
    private static FrameSeries<PointObservation> series(int animals, IdentityOf identity, IntPredicate keepRow,
                                                        IntPredicate touchingFrame, double offset) {
        NavigableMap<Long, List<PointObservation>> frames = new TreeMap<>();
        int row = 0;
        for (long f = 0; f < FRAMES; f++) {
            for (int a = 0; a < animals; a++, row++) {
                if (keepRow.test(row)) {
                    frames.computeIfAbsent(f, k -> new ArrayList<>()).add(new PointObservation(identity.at(a, f),
                            x(a, f) + offset, y(a, f), touchingFrame.test((int) f)));
                }
            }
        }
        List<String> labels = new ArrayList<>();
        for (int a = 0; a < animals; a++) {
            labels.add("animal" + a);
        }
        return new FrameSeries<>("test", frames, labels);
    }

    private static FrameSeries<PointObservation> truth(int animals) {
        return series(animals, (a, f) -> a, row -> true, f -> false, 0);
    }

    @Test
    void scoresAPerfectTrackerWithPermutedIdentitiesAsOne() {
        FrameSeries<PointObservation> tracks = series(5, (a, f) -> (a + 3) % 5, row -> true, f -> false, 1.5);
        EvaluationResult r = TrackingEvaluation.ofPoints(truth(5), tracks, 10);
        assertEquals(1, r.identityAccuracy(), TOLERANCE);
        assertEquals(1, r.identityAccuracyAllFrames(), TOLERANCE);
        assertEquals(1, r.idf1(), TOLERANCE);
        assertEquals(1, r.idPrecision(), TOLERANCE);
        assertEquals(1, r.idRecall(), TOLERANCE);
        assertEquals(1, r.mota(), TOLERANCE);
        assertEquals(1, r.recall(), TOLERANCE);
        assertEquals(1, r.precision(), TOLERANCE);
        assertEquals(1, r.coverage(), TOLERANCE);
        assertEquals(0, r.idSwitches());
        assertEquals(0, r.fragmentations());
        assertEquals(1.5, r.meanPositionError(), TOLERANCE);
        assertEquals(1.5, r.motp(), TOLERANCE);
    }

    /**
     * Four animals; tracks 0 and 1 swap animals at frame 50. IDTP = 50 + 50 + 100 + 100 = 300 of 400
     * truth and 400 track animal-frames, so IDF1 = IDP = IDR = 0.75; two switches, MOTA = 1 - 2/400.
     */
    @Test
    void givesTheHandComputedIdf1WhenTwoIdentitiesSwapHalfWay() {
        FrameSeries<PointObservation> tracks = series(4, (a, f) -> f >= 50 && a < 2 ? 1 - a : a,
                row -> true, f -> false, 0);
        EvaluationResult r = TrackingEvaluation.ofPoints(truth(4), tracks, 10);
        assertEquals(300, r.idTruePositives());
        assertEquals(0.75, r.idf1(), TOLERANCE);
        assertEquals(0.75, r.idPrecision(), TOLERANCE);
        assertEquals(0.75, r.idRecall(), TOLERANCE);
        assertEquals(2, r.idSwitches());
        assertEquals(1 - 2.0 / 400, r.mota(), TOLERANCE);
        assertEquals(0.75, r.identityAccuracy(), TOLERANCE);
        assertEquals(1, r.coverage(), TOLERANCE);
    }

    @Test
    void givesCoverageNineTenthsWhenTenPercentOfRowsAreDropped() {
        FrameSeries<PointObservation> tracks = series(10, (a, f) -> a, row -> row % 10 != 3, f -> false, 0);
        EvaluationResult r = TrackingEvaluation.ofPoints(truth(10), tracks, 10);
        assertEquals(0.9, r.coverage(), TOLERANCE);
        assertEquals(100, r.misses());
        assertEquals(0, r.falsePositives());
        assertEquals(0.9, r.identityAccuracy(), TOLERANCE);
        assertEquals(1, r.identityAccuracyMatched(), TOLERANCE);
    }

    /**
     * Two animals touch in frames 40-49 and the tracker swaps them only then: identity accuracy
     * over non-touching animal-frames stays 1, over all frames it is 180/200.
     */
    @Test
    void leavesTouchingFramesOutOfIdentityAccuracy() {
        FrameSeries<PointObservation> truth = series(2, (a, f) -> a, row -> true, f -> f >= 40 && f < 50, 0);
        FrameSeries<PointObservation> tracks = series(2, (a, f) -> f >= 40 && f < 50 ? 1 - a : a,
                row -> true, f -> false, 0);
        EvaluationResult r = TrackingEvaluation.ofPoints(truth, tracks, 10);
        assertEquals(180, r.nonTouchingAnimalFrames());
        assertEquals(1, r.identityAccuracy(), TOLERANCE);
        assertEquals(0.9, r.identityAccuracyAllFrames(), TOLERANCE);
        assertEquals(4, r.idSwitches());
    }

    /** A truth animal tracked, lost for two frames, tracked again: one fragmentation, two misses. */
    @Test
    void countsAFragmentationWhenATrackIsInterruptedAndResumed() {
        FrameSeries<PointObservation> tracks = series(1, (a, f) -> 0, row -> row != 20 && row != 21, f -> false, 0);
        EvaluationResult r = TrackingEvaluation.ofPoints(truth(1), tracks, 10);
        assertEquals(1, r.fragmentations());
        assertEquals(2, r.misses());
        assertEquals(0, r.idSwitches());
    }

    @Test
    void matchesNothingBeyondTheRadius() {
        FrameSeries<PointObservation> tracks = series(3, (a, f) -> a, row -> true, f -> false, 10.5);
        EvaluationResult r = TrackingEvaluation.ofPoints(truth(3), tracks, 10);
        assertEquals(0, r.matches());
        assertEquals(300, r.misses());
        assertEquals(300, r.falsePositives());
        assertEquals(0, r.idf1(), TOLERANCE);
    }
}
