package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.ArrayList;
import java.util.List;

/** A rule judged for each selected animal on its own, firing for the animals whose condition just became true. */
abstract class PerAnimalRule extends EdgeTriggeredRule {

    private final TrackSelection selection;
    private final EdgeDetector<Long> edges = new EdgeDetector<>();

    PerAnimalRule(String name, TrackSelection selection, double refractorySeconds) {
        super(name, refractorySeconds);
        this.selection = selection;
    }

    /**
     * Updates this animal's state with its track at media time {@code nowS} and says whether the
     * condition holds; null when this observation cannot tell (the animal's last state is kept).
     */
    abstract Boolean holds(Track track, double nowS);

    @Override
    final List<Long> risingIdentities(FrameTracks frame) {
        List<Long> rising = new ArrayList<>();
        for (Track track : selection.select(frame)) {
            Boolean condition = holds(track, frame.getMediaTimeS());
            if (condition != null && edges.rises(track.getIdentity(), condition)) {
                rising.add(track.getIdentity());
            }
        }
        return rising;
    }
}
