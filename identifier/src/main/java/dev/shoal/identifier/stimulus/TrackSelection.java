package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.List;
import java.util.Set;

/**
 * Which tracks a rule looks at: any animal, or the identities the rules file names. Named identities
 * exist only once a model has identified the animals: in provisional frames (model version 0) an
 * identity is a fragment id, so a rule that names identities sees nothing there.
 */
record TrackSelection(Set<Long> identities) {

    static final TrackSelection ANY = new TrackSelection(Set.of());

    TrackSelection {
        identities = Set.copyOf(identities);
    }

    List<Track> select(FrameTracks frame) {
        if (identities.isEmpty()) {
            return frame.getTracksList().stream().filter(t -> t.getIdentity() > 0).toList();
        }
        if (frame.getModelVersion() == 0) {
            return List.of();
        }
        return frame.getTracksList().stream().filter(t -> identities.contains(t.getIdentity())).toList();
    }
}
