package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.Track;
import java.util.HashMap;
import java.util.Map;

/**
 * Fires when a selected animal's speed (pixels per second of media time, between its two latest
 * observations) rises above, or falls below, a threshold.
 */
public final class SpeedRule extends PerAnimalRule {

    public enum Bound { ABOVE, BELOW }

    private record Observation(double x, double y, double timeS) {
    }

    private final double threshold;
    private final Bound bound;
    private final Map<Long, Observation> previous = new HashMap<>();

    SpeedRule(String name, double threshold, Bound bound, TrackSelection selection, double refractorySeconds) {
        super(name, selection, refractorySeconds);
        this.threshold = threshold;
        this.bound = bound;
    }

    /** Unknown (null) at an animal's first observation and when media time did not advance. */
    @Override
    Boolean holds(Track track, double nowS) {
        Observation before = previous.put(track.getIdentity(), new Observation(track.getX(), track.getY(), nowS));
        if (before == null || nowS <= before.timeS()) {
            return null;
        }
        double speed = Math.hypot(track.getX() - before.x(), track.getY() - before.y()) / (nowS - before.timeS());
        return bound == Bound.ABOVE ? speed > threshold : speed < threshold;
    }
}
