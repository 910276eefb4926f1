package dev.shoal.deploy.bench;

import dev.shoal.core.BadInputException;
import java.util.List;

/**
 * One benchmark scenario: a synthetic arena (rendered with exact truth) or a real clip with its
 * human truth and, optionally, other trackers' outputs on it to score with the same evaluator.
 */
public record BenchScenario(String name, List<String> suites, Arena arena, Clip clip, Goals goals) {

    /** A synthetic arena, rendered once into the work directory and reused while the scenario is unchanged. */
    public record Arena(int animals, long frames, int size, String difficulty, Long seed, Double fps) {

        long seedOrDefault() {
            return seed == null ? 1 : seed;
        }

        double fpsOrDefault() {
            return fps == null ? 30 : fps;
        }
    }

    /**
     * A real video under the data folder.
     *
     * @param track  extra {@code shoal track} options the clip needs (polarity, thresholds)
     * @param apart  when set: truth animals closer than this (pixels) count as touching
     * @param radius largest truth-to-track distance that may match, pixels
     */
    public record Clip(String video, int animals, List<String> track, Columns truth, Double apart, double radius,
                       List<Peer> peers) {
    }

    /**
     * Which columns of a CSV hold what ({@code frame}, {@code identity}, {@code x}, {@code y} by default).
     *
     * @param firstFrame the file's number for the video's first frame (default 0; Tracktor counts from 1)
     * @param tracker    set when the clip has no human truth and another tracker's output stands in for
     *                   it: its name. shoal's figures are then agreement with that tracker, not accuracy.
     */
    public record Columns(String file, String frame, String id, String x, String y, Integer firstFrame,
                          String tracker) {

        int firstFrameOrDefault() {
            return firstFrame == null ? 0 : firstFrame;
        }
    }

    /**
     * Another tracker's output on a clip; {@code truthX}/{@code truthY} name the truth's columns for the
     * body point that tracker reports (a thorax, say), when it is not the one shoal is scored on.
     */
    public record Peer(String name, String file, String frame, String id, String x, String y, String truthX,
                       String truthY) {
    }

    /** What the issue promises; each set goal becomes a met / missed cell of the table. */
    public record Goals(Double identityAccuracy, Double idf1, Double wallSeconds, Double peakRssMb, RssRatio rssRatio,
                        String idf1Above) {
    }

    /** Peak memory at most {@code atMost} times that of scenario {@code to} (memory flat in video length). */
    public record RssRatio(String to, double atMost) {
    }

    public int animals() {
        return arena != null ? arena.animals() : clip.animals();
    }

    public List<Peer> peers() {
        return clip == null || clip.peers() == null ? List.of() : clip.peers();
    }

    void validate(String where) {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new BadInputException(where + ", field 'name': give a name of letters, digits, '.', '_' or '-'");
        }
        String at = where + " (" + name + ")";
        if (suites == null || suites.isEmpty()) {
            throw new BadInputException(at + ", field 'suites': list at least one suite, e.g. [suite]");
        }
        if ((arena == null) == (clip == null)) {
            throw new BadInputException(at + ": give exactly one of 'arena' and 'clip'");
        }
        if (arena != null && (arena.animals() < 1 || arena.frames() < 1 || arena.size() < 64 || arena.difficulty() == null)) {
            throw new BadInputException(at + ", field 'arena': needs animals >= 1, frames >= 1, size >= 64 and a difficulty");
        }
        if (clip != null) {
            if (clip.video() == null || clip.animals() < 1 || clip.truth() == null || clip.truth().file() == null) {
                throw new BadInputException(at + ", field 'clip': needs video, animals >= 1 and truth.file");
            }
            if (!(clip.radius() > 0)) {
                throw new BadInputException(at + ", field 'clip.radius': give the matching radius in pixels (> 0)");
            }
            for (Peer peer : peers()) {
                if (peer.name() == null || peer.file() == null) {
                    throw new BadInputException(at + ", field 'clip.peers': every peer needs a name and a file");
                }
            }
        }
    }
}
