package dev.shoal.identifier.evaluation;

import dev.shoal.core.assignment.LinearAssignmentSolver;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Accumulates one sequence frame by frame and computes {@link EvaluationResult}: CLEAR-MOT (Bernardin
 * and Stiefelhagen 2008) as py-motmetrics computes it, the identity measures of Ristani et al. 2016,
 * and idtracker.ai's identity accuracy. Pure: no I/O, usable offline or on a live stream.
 *
 * <p><b>Per-frame matching</b> (py-motmetrics' MOTAccumulator.update): first every truth animal
 * that was matched in the previous frame keeps its track if that track is present and the pair may
 * still match; then the remaining truth animals and tracks are matched by the assignment that pairs
 * as many as possible and, among those, has the least total distance. A match whose track differs
 * from the last track this truth animal was matched to (in any earlier frame) is an ID switch.
 * Unmatched truth animals are misses, unmatched tracks false positives.
 *
 * <p><b>Fragmentations</b>: per truth animal, over its own frames between its first and last match,
 * the number of times it goes from matched to unmatched.
 *
 * <p><b>IDTP</b>: for every truth identity t and track identity k, count the frames where both are
 * present and may match (within the radius or above the IoU threshold), whether or not the frame's
 * matching paired them; one global one-to-one assignment of track to truth identities maximises the
 * summed counts, and that sum is IDTP. This is the min-cost assignment of Ristani et al., since
 * IDFP + IDFN = truth + track animal-frames - 2 IDTP.
 *
 * <p><b>Identity accuracy</b>: per truth identity and track identity, count the frames where the
 * frame's matching paired them, over non-touching animal-frames and over all; the identity mapping
 * is the one-to-one assignment that maximises the non-touching count.
 */
public final class TrackingEvaluator {

    private final LinearAssignmentSolver solver = new LinearAssignmentSolver();
    private final Map<Integer, Integer> lastTrackOfTruth = new HashMap<>();
    private final Map<Integer, Long> lastMatchFrameOfTruth = new HashMap<>();
    private final Map<Integer, FragmentState> fragmentStateOfTruth = new HashMap<>();
    private final Map<Long, Long> reachablePairFrames = new HashMap<>();
    private final Map<Long, Long> matchedPairFrames = new HashMap<>();
    private final Map<Long, Long> matchedPairNonTouchingFrames = new HashMap<>();
    private final TreeSet<Integer> truthIdentities = new TreeSet<>();
    private final TreeSet<Integer> trackIdentities = new TreeSet<>();
    private boolean started;
    private long previousFrame;
    private long frames;
    private long truthAnimalFrames;
    private long trackAnimalFrames;
    private long matches;
    private long falsePositives;
    private long misses;
    private long idSwitches;
    private long fragmentations;
    private double matchDistanceSum;
    private double positionErrorSum;
    private long nonTouchingAnimalFrames;
    private long matchedNonTouching;
    private double[] costs = new double[0];
    private int[] trackOfTruthIndex = new int[0];
    private boolean[] truthMatched = new boolean[0];
    private boolean[] trackMatched = new boolean[0];

    private enum FragmentState { MATCHED, MISSED_AFTER_MATCH }

    /** Adds the next frame; frames must come in strictly increasing order. */
    public void add(FrameComparison frame) {
        if (started && frame.frame() <= previousFrame) {
            throw new IllegalArgumentException("frame " + frame.frame() + " after frame " + previousFrame
                    + ": frames must increase");
        }
        int[] truth = frame.truthIds();
        int[] tracks = frame.trackIds();
        int nt = truth.length;
        int nk = tracks.length;
        ensureCapacity(nt, nk);
        Arrays.fill(truthMatched, 0, nt, false);
        Arrays.fill(trackMatched, 0, nk, false);
        double[] distances = frame.distances();
        frames++;
        truthAnimalFrames += nt;
        trackAnimalFrames += nk;
        for (int t = 0; t < nt; t++) {
            truthIdentities.add(truth[t]);
            if (!frame.truthTouching()[t]) {
                nonTouchingAnimalFrames++;
            }
            for (int k = 0; k < nk; k++) {
                if (mayMatch(distances[t * nk + k])) {
                    reachablePairFrames.merge(pairKey(truth[t], tracks[k]), 1L, Long::sum);
                }
            }
        }
        for (int track : tracks) {
            trackIdentities.add(track);
        }

        keepPreviousFrameMatches(frame);
        matchTheRest(frame);

        for (int t = 0; t < nt; t++) {
            if (!truthMatched[t]) {
                misses++;
                fragmentStateOfTruth.computeIfPresent(truth[t], (id, state) -> FragmentState.MISSED_AFTER_MATCH);
            }
        }
        for (int k = 0; k < nk; k++) {
            if (!trackMatched[k]) {
                falsePositives++;
            }
        }
        started = true;
        previousFrame = frame.frame();
    }

    private void keepPreviousFrameMatches(FrameComparison frame) {
        int[] truth = frame.truthIds();
        int[] tracks = frame.trackIds();
        int nk = tracks.length;
        for (int t = 0; t < truth.length; t++) {
            Long lastMatch = lastMatchFrameOfTruth.get(truth[t]);
            if (lastMatch == null || !started || lastMatch != previousFrame) {
                continue;
            }
            int previousTrack = lastTrackOfTruth.get(truth[t]);
            for (int k = 0; k < nk; k++) {
                if (!trackMatched[k] && tracks[k] == previousTrack) {
                    if (mayMatch(frame.distances()[t * nk + k])) {
                        recordMatch(frame, t, k);
                    }
                    break;
                }
            }
        }
    }

    private void matchTheRest(FrameComparison frame) {
        int nt = frame.truthIds().length;
        int nk = frame.trackIds().length;
        double[] distances = frame.distances();
        for (int t = 0; t < nt; t++) {
            for (int k = 0; k < nk; k++) {
                costs[t * nk + k] = truthMatched[t] || trackMatched[k] ? Double.NaN : distances[t * nk + k];
            }
        }
        solver.solve(costs, nt, nk, trackOfTruthIndex);
        for (int t = 0; t < nt; t++) {
            int k = trackOfTruthIndex[t];
            if (k >= 0) {
                Integer lastTrack = lastTrackOfTruth.get(frame.truthIds()[t]);
                if (lastTrack != null && lastTrack != frame.trackIds()[k]) {
                    idSwitches++;
                }
                recordMatch(frame, t, k);
            }
        }
    }

    private void recordMatch(FrameComparison frame, int t, int k) {
        int nk = frame.trackIds().length;
        int truthId = frame.truthIds()[t];
        int trackId = frame.trackIds()[k];
        truthMatched[t] = true;
        trackMatched[k] = true;
        matches++;
        matchDistanceSum += frame.distances()[t * nk + k];
        positionErrorSum += frame.positionErrors()[t * nk + k];
        lastTrackOfTruth.put(truthId, trackId);
        lastMatchFrameOfTruth.put(truthId, frame.frame());
        if (fragmentStateOfTruth.put(truthId, FragmentState.MATCHED) == FragmentState.MISSED_AFTER_MATCH) {
            fragmentations++;
        }
        long key = pairKey(truthId, trackId);
        matchedPairFrames.merge(key, 1L, Long::sum);
        if (!frame.truthTouching()[t]) {
            matchedNonTouching++;
            matchedPairNonTouchingFrames.merge(key, 1L, Long::sum);
        }
    }

    /** The metrics of everything added so far. */
    public EvaluationResult result() {
        int[] truthIndex = indexOf(truthIdentities);
        int[] trackIndex = indexOf(trackIdentities);
        int[] mapping = bestMapping(reachablePairFrames, truthIndex, trackIndex);
        long idTruePositives = mappedSum(reachablePairFrames, mapping, truthIndex, trackIndex);
        int[] identityMapping = bestMapping(matchedPairNonTouchingFrames, truthIndex, trackIndex);
        long correctNonTouching = mappedSum(matchedPairNonTouchingFrames, identityMapping, truthIndex, trackIndex);
        long correctAll = mappedSum(matchedPairFrames, identityMapping, truthIndex, trackIndex);
        return new EvaluationResult(frames, truthIdentities.size(), trackIdentities.size(),
                truthAnimalFrames, trackAnimalFrames, matches, falsePositives, misses, idSwitches,
                fragmentations, matchDistanceSum, positionErrorSum, idTruePositives,
                nonTouchingAnimalFrames, matchedNonTouching, correctNonTouching, correctAll);
    }

    /** Dense positions of the identities; identities are small non-negative integers. */
    private static int[] indexOf(TreeSet<Integer> identities) {
        int[] index = new int[identities.isEmpty() ? 0 : identities.last() + 1];
        Arrays.fill(index, -1);
        int next = 0;
        for (int id : identities) {
            index[id] = next++;
        }
        return index;
    }

    /**
     * The one-to-one truth-to-track mapping that maximises the summed pair counts. Every pair is
     * allowed (count 0 when never seen together), so the solver's preference for more pairs never
     * trades away count.
     */
    private int[] bestMapping(Map<Long, Long> pairCounts, int[] truthIndex, int[] trackIndex) {
        int nt = truthIdentities.size();
        int nk = trackIdentities.size();
        double[] negatedCounts = new double[nt * nk];
        pairCounts.forEach((key, count) ->
                negatedCounts[truthIndex[truthOf(key)] * nk + trackIndex[trackOf(key)]] = -count);
        int[] trackOfTruth = new int[nt];
        solver.solve(negatedCounts, nt, nk, trackOfTruth);
        return trackOfTruth;
    }

    private static long mappedSum(Map<Long, Long> pairCounts, int[] trackOfTruth, int[] truthIndex, int[] trackIndex) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
            if (trackOfTruth[truthIndex[truthOf(e.getKey())]] == trackIndex[trackOf(e.getKey())]) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    private static boolean mayMatch(double distance) {
        return !Double.isNaN(distance) && distance != Double.POSITIVE_INFINITY;
    }

    private static long pairKey(int truthId, int trackId) {
        return ((long) truthId << 32) | (trackId & 0xffffffffL);
    }

    private static int truthOf(long key) {
        return (int) (key >>> 32);
    }

    private static int trackOf(long key) {
        return (int) key;
    }

    private void ensureCapacity(int nt, int nk) {
        if (costs.length < nt * nk) {
            costs = new double[nt * nk];
        }
        if (truthMatched.length < nt) {
            truthMatched = new boolean[nt];
            trackOfTruthIndex = new int[nt];
        }
        if (trackMatched.length < nk) {
            trackMatched = new boolean[nk];
        }
    }
}
