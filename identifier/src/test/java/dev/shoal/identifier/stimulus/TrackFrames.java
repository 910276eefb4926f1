package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;

/** Synthetic frames of tracks for rule tests: one frame per call, 10 frames per second of media time. */
final class TrackFrames {

    private final long modelVersion;
    private long index;

    TrackFrames(long modelVersion) {
        this.modelVersion = modelVersion;
    }

    /** The next frame, with tracks given as identity, x, y triples. */
    FrameTracks next(double... identityXy) {
        FrameTracks.Builder frame = FrameTracks.newBuilder()
                .setSession("s1")
                .setIndex(index)
                .setMediaTimeS(index / 10.0)
                .setCaptureTimeNs(1_000_000_000L + index * 100_000_000L)
                .setModelVersion(modelVersion);
        for (int i = 0; i < identityXy.length; i += 3) {
            frame.addTracks(Track.newBuilder()
                    .setIdentity((long) identityXy[i])
                    .setX(identityXy[i + 1])
                    .setY(identityXy[i + 2]));
        }
        index++;
        return frame.build();
    }
}
