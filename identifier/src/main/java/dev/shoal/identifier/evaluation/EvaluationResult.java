package dev.shoal.identifier.evaluation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counts behind every metric of one sequence (or of several, added with {@link #plus}); the
 * metrics are derived from them. An animal-frame is one identity present in one frame. Matches are
 * made per frame as in py-motmetrics (see {@link TrackingEvaluator}).
 *
 * @param frames                 frames seen (present in the truth or the tracks)
 * @param truthIdentities        distinct truth identities
 * @param trackIdentities        distinct track identities
 * @param truthAnimalFrames      truth animal-frames (py-motmetrics' num_objects)
 * @param trackAnimalFrames      track animal-frames (num_predictions)
 * @param matches                truth animal-frames matched to a track, switches included (num_detections)
 * @param falsePositives         track animal-frames left unmatched
 * @param misses                 truth animal-frames left unmatched
 * @param idSwitches             matches whose track differs from the track this truth last matched
 * @param fragmentations         times a truth's match was interrupted and later resumed
 * @param matchDistanceSum       sum of the matching distances of all matches
 * @param positionErrorSum       sum of the position distances of all matches
 * @param idTruePositives        IDTP: truth animal-frames within reach of the track that the global
 *                               trajectory assignment gave their identity
 * @param nonTouchingAnimalFrames truth animal-frames where the animal touches no other
 * @param matchedNonTouching     of those, the ones matched to a track
 * @param correctNonTouching     of those, the ones matched to a track that the best global identity
 *                               mapping assigns to their identity
 * @param correctAll             the same over all truth animal-frames, with the same mapping
 */
public record EvaluationResult(long frames, long truthIdentities, long trackIdentities,
                               long truthAnimalFrames, long trackAnimalFrames, long matches,
                               long falsePositives, long misses, long idSwitches, long fragmentations,
                               double matchDistanceSum, double positionErrorSum, long idTruePositives,
                               long nonTouchingAnimalFrames, long matchedNonTouching, long correctNonTouching,
                               long correctAll) {

    /** The counts of two sequences together (identities of different sequences are distinct). */
    public EvaluationResult plus(EvaluationResult o) {
        return new EvaluationResult(frames + o.frames, truthIdentities + o.truthIdentities,
                trackIdentities + o.trackIdentities, truthAnimalFrames + o.truthAnimalFrames,
                trackAnimalFrames + o.trackAnimalFrames, matches + o.matches,
                falsePositives + o.falsePositives, misses + o.misses, idSwitches + o.idSwitches,
                fragmentations + o.fragmentations, matchDistanceSum + o.matchDistanceSum,
                positionErrorSum + o.positionErrorSum, idTruePositives + o.idTruePositives,
                nonTouchingAnimalFrames + o.nonTouchingAnimalFrames, matchedNonTouching + o.matchedNonTouching,
                correctNonTouching + o.correctNonTouching, correctAll + o.correctAll);
    }

    /**
     * Identity accuracy as idtracker.ai defines it: correctly identified truth animal-frames over
     * truth animal-frames where the animal touches no other. Correct means matched to a track whose
     * identity the one best global one-to-one mapping of track identities to truth identities sends
     * to this truth identity; the mapping maximises the number of correct non-touching
     * animal-frames. An unmatched animal-frame counts as wrong.
     */
    public double identityAccuracy() {
        return ratio(correctNonTouching, nonTouchingAnimalFrames);
    }

    /**
     * {@link #identityAccuracy()} over matched non-touching animal-frames only: how often the identity
     * is right when the animal was found at all, apart from detection misses.
     */
    public double identityAccuracyMatched() {
        return ratio(correctNonTouching, matchedNonTouching);
    }

    /** {@link #identityAccuracy()} over all truth animal-frames, touching included, same mapping. */
    public double identityAccuracyAllFrames() {
        return ratio(correctAll, truthAnimalFrames);
    }

    /** IDFP: track animal-frames not counted as identity true positives. */
    public long idFalsePositives() {
        return trackAnimalFrames - idTruePositives;
    }

    /** IDFN: truth animal-frames not counted as identity true positives. */
    public long idFalseNegatives() {
        return truthAnimalFrames - idTruePositives;
    }

    /** IDF1 = 2 IDTP / (2 IDTP + IDFP + IDFN) (Ristani et al. 2016). */
    public double idf1() {
        return ratio(2 * idTruePositives, truthAnimalFrames + trackAnimalFrames);
    }

    /** IDP = IDTP / (IDTP + IDFP). */
    public double idPrecision() {
        return ratio(idTruePositives, trackAnimalFrames);
    }

    /** IDR = IDTP / (IDTP + IDFN). */
    public double idRecall() {
        return ratio(idTruePositives, truthAnimalFrames);
    }

    /** Matches over truth animal-frames. */
    public double recall() {
        return ratio(matches, truthAnimalFrames);
    }

    /** Matches over matches plus false positives. */
    public double precision() {
        return ratio(matches, matches + falsePositives);
    }

    /** MOTA = 1 - (misses + false positives + ID switches) / truth animal-frames. */
    public double mota() {
        return 1 - ratio(misses + falsePositives + idSwitches, truthAnimalFrames);
    }

    /** MOTP: mean matching distance of the matches (pixels for points, 1 - IoU for boxes). */
    public double motp() {
        return ratio(matchDistanceSum, matches);
    }

    /** Coverage: truth animal-frames with a matched track position, over all truth animal-frames. */
    public double coverage() {
        return ratio(matches, truthAnimalFrames);
    }

    /** Mean distance between matched truth and track positions (box centres for boxes), pixels. */
    public double meanPositionError() {
        return ratio(positionErrorSum, matches);
    }

    /** Every metric and count by name, in the order a report shows them; integers stay {@code Long}. */
    public Map<String, Number> metrics() {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("identity_accuracy", identityAccuracy());
        m.put("identity_accuracy_matched", identityAccuracyMatched());
        m.put("identity_accuracy_all_frames", identityAccuracyAllFrames());
        m.put("idf1", idf1());
        m.put("idp", idPrecision());
        m.put("idr", idRecall());
        m.put("mota", mota());
        m.put("motp", motp());
        m.put("recall", recall());
        m.put("precision", precision());
        m.put("coverage", coverage());
        m.put("mean_position_error", meanPositionError());
        m.put("false_positives", falsePositives);
        m.put("misses", misses);
        m.put("id_switches", idSwitches);
        m.put("fragmentations", fragmentations);
        m.put("idtp", idTruePositives);
        m.put("idfp", idFalsePositives());
        m.put("idfn", idFalseNegatives());
        m.put("matches", matches);
        m.put("truth_animal_frames", truthAnimalFrames);
        m.put("track_animal_frames", trackAnimalFrames);
        m.put("non_touching_animal_frames", nonTouchingAnimalFrames);
        m.put("truth_identities", truthIdentities);
        m.put("track_identities", trackIdentities);
        m.put("frames", frames);
        return m;
    }

    private static double ratio(double numerator, double denominator) {
        return denominator == 0 ? Double.NaN : numerator / denominator;
    }
}
