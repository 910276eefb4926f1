package dev.shoal.deploy;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code live} reports when it ends.
 *
 * @param ending           "source ended" or "stopped"
 * @param framesSkipped    frames never segmented: the live warm-up window and the frames behind the newest then
 * @param inFlight         frames published that had not reached the writer when the drain timed out
 * @param stimulusCommands rule firings, -1 without rules
 * @param steadyFrames     frames counted in the after-warm-up latency
 * @param trajectories     the written file, null when it was not completed
 */
record LiveReport(String session, String ending, double wallSeconds, long framesRead, long framesPublished,
                  long framesDropped, long framesSkipped, long framesTracked, long inFlight, long stimulusCommands, long modelVersion,
                  double identifiedRatio, double latencyP50Ms, double latencyP99Ms, long steadyFrames,
                  double steadyLatencyP50Ms, double steadyLatencyP99Ms, Path trajectories) {

    String describe() {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "live: session %s %s after %.1f s: %d frames read, %d published, %d dropped, %d tracked%s%s;"
                        + " model v%d, %.1f%% of animal-frames identified by a model",
                session, ending, wallSeconds, framesRead, framesPublished, framesDropped, framesTracked,
                framesSkipped > 0 ? " (" + framesSkipped + " frames of the warm-up or behind the newest not segmented)" : "",
                inFlight > 0 ? " (" + inFlight + " still in flight at the end)" : "", modelVersion,
                100 * identifiedRatio));
        if (stimulusCommands >= 0) {
            out.append(String.format(Locale.ROOT, "; %d stimulus commands", stimulusCommands));
        }
        if (framesTracked > 0) {
            out.append(String.format(Locale.ROOT, "%nlive: capture to track p50 %.1f ms, p99 %.1f ms", latencyP50Ms,
                    latencyP99Ms));
        }
        if (steadyFrames > 0) {
            out.append(String.format(Locale.ROOT, " (after warm-up, %d frames: p50 %.1f ms, p99 %.1f ms)", steadyFrames,
                    steadyLatencyP50Ms, steadyLatencyP99Ms));
        }
        out.append(trajectories != null ? "\nlive: trajectories in " + trajectories
                : "\nlive: no trajectories written");
        return out.toString();
    }
}
