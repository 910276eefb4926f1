package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.Track;

/** Fires when a selected animal enters (or leaves) a zone. */
public final class ZoneCrossingRule extends PerAnimalRule {

    public enum Direction { ENTER, LEAVE }

    private final Zone zone;
    private final Direction direction;

    ZoneCrossingRule(String name, Zone zone, Direction direction, TrackSelection selection, double refractorySeconds) {
        super(name, selection, refractorySeconds);
        this.zone = zone;
        this.direction = direction;
    }

    @Override
    Boolean holds(Track track, double nowS) {
        boolean inside = zone.contains(track.getX(), track.getY());
        return direction == Direction.ENTER ? inside : !inside;
    }
}
