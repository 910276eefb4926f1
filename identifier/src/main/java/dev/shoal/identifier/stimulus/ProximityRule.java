package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.List;
import java.util.Set;

/** Fires when two given identities come closer than a distance (pixels); frames missing either change nothing. */
public final class ProximityRule extends EdgeTriggeredRule {

    private final long first;
    private final long second;
    private final double distance;
    private final TrackSelection selection;
    private final EdgeDetector<Boolean> edges = new EdgeDetector<>();

    ProximityRule(String name, long first, long second, double distance, double refractorySeconds) {
        super(name, refractorySeconds);
        this.first = first;
        this.second = second;
        this.distance = distance;
        this.selection = new TrackSelection(Set.of(first, second));
    }

    @Override
    List<Long> risingIdentities(FrameTracks frame) {
        Track a = null;
        Track b = null;
        for (Track track : selection.select(frame)) {
            if (track.getIdentity() == first) {
                a = track;
            } else {
                b = track;
            }
        }
        if (a == null || b == null) {
            return List.of();
        }
        boolean close = Math.hypot(a.getX() - b.getX(), a.getY() - b.getY()) < distance;
        return edges.rises(Boolean.TRUE, close) ? List.of(first, second) : List.of();
    }
}
