package dev.shoal.identifier.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TrackEval's three small cases (shared/data/README.md): five frames, similarity 1 = the pair may
 * match, 0 = it may not. Identities: truth A=0, B=1; trackers numbered in the order named.
 */
class TrackEvalCasesTest {

    private static final double TOLERANCE = 1e-3;

    /** Builds frame f from the identities present and the pairs {truth, track} that may match. */
    private static FrameComparison frame(long f, int[] truth, int[] tracks, int[]... similar) {
        double[] distances = new double[truth.length * tracks.length];
        Arrays.fill(distances, Double.POSITIVE_INFINITY);
        for (int[] pair : similar) {
            int t = indexOf(truth, pair[0]);
            int k = indexOf(tracks, pair[1]);
            distances[t * tracks.length + k] = 0;
        }
        return new FrameComparison(f, truth, new boolean[truth.length], tracks, distances, new double[distances.length]);
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new IllegalArgumentException("identity " + id + " not present");
    }

    private static EvaluationResult evaluate(List<FrameComparison> frames) {
        TrackingEvaluator evaluator = new TrackingEvaluator();
        frames.forEach(evaluator::add);
        return evaluator.result();
    }

    private static final int A = 0;
    private static final int B = 1;

    private static List<FrameComparison> noConfusionFrames(boolean withConfusion) {
        int x = 0;
        int y = 1;
        List<FrameComparison> frames = new ArrayList<>();
        frames.add(frame(0, new int[] {A, B}, new int[] {x, y}, new int[] {B, x}));
        frames.add(withConfusion
                ? frame(1, new int[] {A, B}, new int[] {x, y}, new int[] {B, x}, new int[] {B, y})
                : frame(1, new int[] {A, B}, new int[] {x, y}, new int[] {B, x}));
        frames.add(withConfusion
                ? frame(2, new int[] {A, B}, new int[] {x, y}, new int[] {A, x})
                : frame(2, new int[] {A, B}, new int[] {x, y}));
        frames.add(frame(3, new int[] {A}, new int[] {x, y}, new int[] {A, y}));
        frames.add(frame(4, new int[] {A}, new int[] {y}, new int[] {A, y}));
        return frames;
    }

    private static void assertIdentityFigures(EvaluationResult r, long idtp, long idfn, long idfp,
                                              double idr, double idp, double idf1) {
        assertEquals(idtp, r.idTruePositives(), "IDTP");
        assertEquals(idfn, r.idFalseNegatives(), "IDFN");
        assertEquals(idfp, r.idFalsePositives(), "IDFP");
        assertEquals(idr, r.idRecall(), TOLERANCE, "IDR");
        assertEquals(idp, r.idPrecision(), TOLERANCE, "IDP");
        assertEquals(idf1, r.idf1(), TOLERANCE, "IDF1");
    }

    @Test
    void scoresTheNoConfusionCaseAsTrackEvalDoes() {
        EvaluationResult r = evaluate(noConfusionFrames(false));
        assertEquals(4, r.matches(), "TP");
        assertEquals(4, r.misses(), "FN");
        assertEquals(5, r.falsePositives(), "FP");
        assertEquals(0, r.idSwitches(), "ID switches");
        assertEquals(-0.125, r.mota(), TOLERANCE, "MOTA");
        assertIdentityFigures(r, 4, 4, 5, 0.5, 4.0 / 9, 8.0 / 17);
    }

    @Test
    void scoresTheWithConfusionCaseAsTrackEvalDoes() {
        EvaluationResult r = evaluate(noConfusionFrames(true));
        assertEquals(5, r.matches(), "TP");
        assertEquals(3, r.misses(), "FN");
        assertEquals(4, r.falsePositives(), "FP");
        assertEquals(1, r.idSwitches(), "ID switches");
        assertEquals(0, r.mota(), TOLERANCE, "MOTA");
        assertIdentityFigures(r, 4, 4, 5, 0.5, 4.0 / 9, 8.0 / 17);
    }

    @Test
    void scoresTheSplitTracksCaseAsTrackEvalDoes() {
        int p = 0;
        int q = 1;
        int r = 2;
        int s = 3;
        int t = 4;
        List<FrameComparison> frames = List.of(
                frame(0, new int[] {A, B}, new int[] {p, t}, new int[] {A, p}, new int[] {B, t}),
                frame(1, new int[] {A, B}, new int[] {p, t}, new int[] {A, p}, new int[] {B, t}),
                frame(2, new int[] {B}, new int[] {q, s}, new int[] {B, q}),
                frame(3, new int[] {A, B}, new int[] {q, s}, new int[] {A, s}, new int[] {B, q}),
                frame(4, new int[] {A, B}, new int[] {q, r, s}, new int[] {A, s}, new int[] {B, r}));
        EvaluationResult result = evaluate(frames);
        assertEquals(9, result.matches(), "TP");
        assertEquals(0, result.misses(), "FN");
        assertEquals(2, result.falsePositives(), "FP");
        assertEquals(3, result.idSwitches(), "ID switches");
        assertEquals(4.0 / 9, result.mota(), TOLERANCE, "MOTA");
        assertIdentityFigures(result, 4, 5, 7, 4.0 / 9, 4.0 / 11, 0.4);
    }
}
