package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.ArrayList;
import java.util.List;

/** Fires when a selected animal enters (or leaves) a zone. */
public final class ZoneCrossingRule extends EdgeTriggeredRule {

    public enum Direction { ENTER, LEAVE }

    private final Zone zone;
    private final Direction direction;
    private final TrackSelection selection;
    private final EdgeDetector<Long> edges = new EdgeDetector<>();

    ZoneCrossingRule(String name, Zone zone, Direction direction, TrackSelection selection, double refractorySeconds) {
        super(name, refractorySeconds);
        this.zone = zone;
        this.direction = direction;
        this.selection = selection;
    }

    @Override
    List<Long> risingIdentities(FrameTracks frame) {
        List<Long> rising = new ArrayList<>();
        for (Track track : selection.select(frame)) {
            boolean inside = zone.contains(track.getX(), track.getY());
            if (edges.rises(track.getIdentity(), direction == Direction.ENTER ? inside : !inside)) {
                rising.add(track.getIdentity());
            }
        }
        return rising;
    }
}
