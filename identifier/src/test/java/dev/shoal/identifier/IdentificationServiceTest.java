package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import org.junit.jupiter.api.Test;

class IdentificationServiceTest {

    @Test
    void provisionalTracksGiveIndividualsTheirFragmentAndCrossingsNoIdentity() {
        FrameBlobs blobs = FrameBlobs.newBuilder().setSession("s").setIndex(3)
                .addBlobs(Blob.newBuilder().setKind(BlobKind.INDIVIDUAL).setFragment(21).setX(1))
                .addBlobs(Blob.newBuilder().setKind(BlobKind.CROSSING).setFragment(900).setX(2))
                .build();
        FrameTracks tracks = IdentificationService.provisionalTracks(blobs);
        assertEquals(0, tracks.getModelVersion());
        assertEquals(21, tracks.getTracks(0).getIdentity());
        assertEquals(0, tracks.getTracks(1).getIdentity());
        assertEquals(900, tracks.getTracks(1).getFragment());
        assertEquals(2, tracks.getTracks(1).getX());
    }
}
