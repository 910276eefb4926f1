package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import org.junit.jupiter.api.Test;

class ProvisionalTrackingServiceTest {

    @Test
    void givesEachBlobItsFragmentAsIdentityAndMarksTheFrameProvisional() {
        FrameBlobs blobs = FrameBlobs.newBuilder().setSession("s").setIndex(12).setCaptureTimeNs(99)
                .setMediaTimeS(0.48).setLast(true)
                .addBlobs(Blob.newBuilder().setX(5).setY(6).setOrientation(0.3).setFragment(21)
                        .setKind(BlobKind.INDIVIDUAL))
                .addBlobs(Blob.newBuilder().setX(50).setY(60).setOrientation(-1).setFragment(22)
                        .setKind(BlobKind.CROSSING))
                .build();

        FrameTracks tracks = ProvisionalTrackingService.provisionalTracks(blobs);

        assertEquals(12, tracks.getIndex());
        assertEquals(99, tracks.getCaptureTimeNs());
        assertEquals(0.48, tracks.getMediaTimeS());
        assertTrue(tracks.getLast());
        assertEquals(0, tracks.getModelVersion());
        assertEquals(2, tracks.getTracksCount());
        Track second = tracks.getTracks(1);
        assertEquals(22, second.getIdentity());
        assertEquals(22, second.getFragment());
        assertEquals(50, second.getX());
        assertEquals(-1, second.getAngle());
        assertEquals(0, second.getConfidence());
    }
}
