package dev.shoal.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.BoundingBox;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.Track;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ProtobufSerdeTest {

    @Test
    void roundTripsFrameBlobsWithCrops() {
        FrameBlobs blobs = FrameBlobs.newBuilder().setSession("s").setIndex(9).setCaptureTimeNs(123)
                .addBlobs(Blob.newBuilder().setX(1.5).setY(2.25).setArea(80).setKind(BlobKind.CROSSING)
                        .setBbox(BoundingBox.newBuilder().setLeft(1).setTop(2).setWidth(3).setHeight(4))
                        .setFragment(77).setCrop(ByteString.copyFrom(new byte[] {1, 2, 3})).setCropSize(52))
                .build();
        byte[] bytes = Serdes.FRAME_BLOBS.serializer().serialize("t", blobs);
        assertEquals(blobs, Serdes.FRAME_BLOBS.deserializer().deserialize("t", bytes));
    }

    @Test
    void roundTripsTracksAndModels() {
        FrameTracks tracks = FrameTracks.newBuilder().setIndex(3).setModelVersion(2)
                .addTracks(Track.newBuilder().setIdentity(4).setX(10).setY(20).setAngle(0.5).setConfidence(0.9)
                        .setInterpolated(true))
                .build();
        assertEquals(tracks, Serdes.FRAME_TRACKS.deserializer().deserialize("t",
                Serdes.FRAME_TRACKS.serializer().serialize("t", tracks)));
        ModelRelease model = ModelRelease.newBuilder().setVersion(5).setClasses(8).setInputSize(52)
                .setOnnx(ByteString.copyFrom(new byte[] {9, 9})).build();
        assertEquals(model, Serdes.MODEL_RELEASE.deserializer().deserialize("t",
                Serdes.MODEL_RELEASE.serializer().serialize("t", model)));
    }

    @Test
    void passesTombstonesThroughAsNull() {
        assertNull(Serdes.MODEL_RELEASE.serializer().serialize("t", null));
        assertNull(Serdes.MODEL_RELEASE.deserializer().deserialize("t", null));
    }

    @Test
    void rejectsBytesThatAreNotTheRecordWithTheTopicAndTypeNamed() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> Serdes.FRAME.deserializer().deserialize("shoal.frames.v1", new byte[] {(byte) 0xff, 0x01}));
        assertTrue(e.getMessage().contains("shoal.frames.v1"), e.getMessage());
        assertTrue(e.getMessage().contains("Frame"), e.getMessage());
    }
}
