package dev.shoal.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One row of the benchmark table: shoal on a scenario, or a peer tracker's output on the same clip.
 * Speed fields are 0 for peers (their outputs are files, not runs); metric fields are NaN when
 * there is nothing to score.
 *
 * @param status         {@code ok}, {@code skipped} (data absent) or {@code failed}
 * @param decodeFps      FFmpeg decoding the same video alone to GRAY8, in the same run: the ceiling
 * @param ratioToDecode  shoal's fps over {@code decodeFps}
 * @param allIdentified  share of the video's frames in which the tracker gives every animal a position
 *                       and an identity (needs no truth)
 */
public record BenchResult(String scenario, String tracker, String status, String note, int animals, long frames,
                          String resolution, double videoFps, double wallSeconds, double fps, double realTimeFactor,
                          double decodeFps, double ratioToDecode, double peakRssMb, double identityAccuracy,
                          double identityAccuracyAllFrames, double idf1, double idSwitches, double coverage,
                          double meanPositionError, double allIdentified, List<GoalCheck> goals) {

    static final String SHOAL = "shoal";

    /** One promised figure and whether this run met it. */
    public record GoalCheck(String goal, boolean met) {
    }

    static BenchResult notRun(BenchScenario scenario, String status, String note) {
        return new BenchResult(scenario.name(), SHOAL, status, note, scenario.animals(), 0, "", 0, 0, 0, 0, 0, 0, 0,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, new ArrayList<>());
    }

    /** Fills the identity columns from an evaluation's metrics ({@code EvaluationResult#metrics()}). */
    BenchResult withMetrics(Map<String, Number> m) {
        return new BenchResult(scenario, tracker, status, note, animals, frames, resolution, videoFps, wallSeconds,
                fps, realTimeFactor, decodeFps, ratioToDecode, peakRssMb, m.get("identity_accuracy").doubleValue(),
                m.get("identity_accuracy_all_frames").doubleValue(), m.get("idf1").doubleValue(),
                m.get("id_switches").doubleValue(), m.get("coverage").doubleValue(),
                m.get("mean_position_error").doubleValue(), allIdentified, goals);
    }

    /** This row with the share of frames in which every animal has a position and an identity. */
    BenchResult withAllIdentified(double share) {
        return new BenchResult(scenario, tracker, status, note, animals, frames, resolution, videoFps, wallSeconds,
                fps, realTimeFactor, decodeFps, ratioToDecode, peakRssMb, identityAccuracy, identityAccuracyAllFrames,
                idf1, idSwitches, coverage, meanPositionError, share, goals);
    }

    /** This row with its goals judged. */
    BenchResult withGoals(List<GoalCheck> checks) {
        return new BenchResult(scenario, tracker, status, note, animals, frames, resolution, videoFps, wallSeconds,
                fps, realTimeFactor, decodeFps, ratioToDecode, peakRssMb, identityAccuracy, identityAccuracyAllFrames,
                idf1, idSwitches, coverage, meanPositionError, allIdentified, checks);
    }

    /** shoal's own run (scored against truth, or against another tracker standing in for it), not a peer's file. */
    boolean shoal() {
        return tracker.equals(SHOAL) || tracker.startsWith(SHOAL + " vs ");
    }

    boolean ok() {
        return status.equals("ok");
    }
}
