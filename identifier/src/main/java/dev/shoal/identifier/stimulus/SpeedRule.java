package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fires when a selected animal's speed (pixels per second of media time, between its two latest
 * observations) rises above, or falls below, a threshold.
 */
public final class SpeedRule extends EdgeTriggeredRule {

    public enum Bound { ABOVE, BELOW }

    private record Observation(double x, double y, double timeS) {
    }

    private final double threshold;
    private final Bound bound;
    private final TrackSelection selection;
    private final Map<Long, Observation> previous = new HashMap<>();
    private final EdgeDetector<Long> edges = new EdgeDetector<>();

    SpeedRule(String name, double threshold, Bound bound, TrackSelection selection, double refractorySeconds) {
        super(name, refractorySeconds);
        this.threshold = threshold;
        this.bound = bound;
        this.selection = selection;
    }

    @Override
    List<Long> risingIdentities(FrameTracks frame) {
        List<Long> rising = new ArrayList<>();
        double now = frame.getMediaTimeS();
        for (Track track : selection.select(frame)) {
            Observation before = previous.put(track.getIdentity(), new Observation(track.getX(), track.getY(), now));
            if (before == null || now <= before.timeS()) {
                continue;
            }
            double speed = Math.hypot(track.getX() - before.x(), track.getY() - before.y()) / (now - before.timeS());
            boolean met = bound == Bound.ABOVE ? speed > threshold : speed < threshold;
            if (edges.rises(track.getIdentity(), met)) {
                rising.add(track.getIdentity());
            }
        }
        return rising;
    }
}
