package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.Track;
import java.util.HashMap;
import java.util.Map;

/**
 * Fires once per stay when a selected animal has been inside a zone for longer than a time (media
 * seconds). A stay ends when the animal is seen outside; frames where it is not tracked do not end it.
 */
public final class DwellRule extends PerAnimalRule {

    private final Zone zone;
    private final double seconds;
    private final Map<Long, Double> stayStartS = new HashMap<>();

    DwellRule(String name, Zone zone, double seconds, TrackSelection selection, double refractorySeconds) {
        super(name, selection, refractorySeconds);
        this.zone = zone;
        this.seconds = seconds;
    }

    @Override
    Boolean holds(Track track, double nowS) {
        if (!zone.contains(track.getX(), track.getY())) {
            stayStartS.remove(track.getIdentity());
            return false;
        }
        return nowS - stayStartS.computeIfAbsent(track.getIdentity(), id -> nowS) > seconds;
    }
}
