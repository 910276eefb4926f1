package dev.shoal.identifier.evaluation;

/**
 * One frame as the evaluator sees it: the truth animals present, the tracks present, and for every
 * (truth, track) pair the matching distance and the position error.
 *
 * <p>{@code distances[t * trackIds.length + k]} is the cost of matching truth {@code t} to track
 * {@code k} (Euclidean distance in pixels for points, 1 - IoU for boxes); NaN or +infinity means the
 * pair may not match (farther than the radius, or overlap below the threshold).
 * {@code positionErrors} has the same layout and holds the distance between the two positions
 * (box centres for boxes), used for the mean position error. Identities are small non-negative
 * integers, unique within the frame on each side.
 *
 * @param frame          frame index; frames must be given to the evaluator in increasing order
 * @param truthIds       identities of the truth animals present
 * @param truthTouching  per truth animal, whether it touches another animal in this frame
 * @param trackIds       identities of the tracks present
 * @param distances      row-major truth x track matching costs
 * @param positionErrors row-major truth x track position distances
 */
public record FrameComparison(long frame, int[] truthIds, boolean[] truthTouching, int[] trackIds,
                              double[] distances, double[] positionErrors) {

    public FrameComparison {
        int pairs = truthIds.length * trackIds.length;
        if (truthTouching.length != truthIds.length || distances.length != pairs || positionErrors.length != pairs) {
            throw new IllegalArgumentException("frame " + frame + ": " + truthIds.length + " truth, "
                    + trackIds.length + " tracks need " + pairs + " distances and touching flags for each truth");
        }
        for (int[] ids : new int[][] {truthIds, trackIds}) {
            for (int id : ids) {
                if (id < 0) {
                    throw new IllegalArgumentException("frame " + frame + ": identity " + id + " is negative");
                }
            }
        }
    }
}
