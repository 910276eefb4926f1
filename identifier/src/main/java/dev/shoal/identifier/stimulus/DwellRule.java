package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fires once per stay when a selected animal has been inside a zone for longer than a time (media
 * seconds). A stay ends when the animal is seen outside; frames where it is not tracked do not end it.
 */
public final class DwellRule extends EdgeTriggeredRule {

    private final Zone zone;
    private final double seconds;
    private final TrackSelection selection;
    private final Map<Long, Double> stayStartS = new HashMap<>();
    private final EdgeDetector<Long> edges = new EdgeDetector<>();

    DwellRule(String name, Zone zone, double seconds, TrackSelection selection, double refractorySeconds) {
        super(name, refractorySeconds);
        this.zone = zone;
        this.seconds = seconds;
        this.selection = selection;
    }

    @Override
    List<Long> risingIdentities(FrameTracks frame) {
        List<Long> rising = new ArrayList<>();
        double now = frame.getMediaTimeS();
        for (Track track : selection.select(frame)) {
            long identity = track.getIdentity();
            boolean lingering;
            if (zone.contains(track.getX(), track.getY())) {
                double start = stayStartS.computeIfAbsent(identity, id -> now);
                lingering = now - start > seconds;
            } else {
                stayStartS.remove(identity);
                lingering = false;
            }
            if (edges.rises(identity, lingering)) {
                rising.add(identity);
            }
        }
        return rising;
    }
}
