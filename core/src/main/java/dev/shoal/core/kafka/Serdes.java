package dev.shoal.core.kafka;

import com.google.protobuf.Message;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.FrameTruth;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IdentityCorrection;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.StimulusCommand;
import org.apache.kafka.common.serialization.Serializer;

/** One serde per topic value type. */
public final class Serdes {

    public static final ProtobufSerde<Frame> FRAME = new ProtobufSerde<>(Frame.class, Frame.parser());
    public static final ProtobufSerde<FrameBlobs> FRAME_BLOBS = new ProtobufSerde<>(FrameBlobs.class, FrameBlobs.parser());
    public static final ProtobufSerde<GlobalFragment> GLOBAL_FRAGMENT = new ProtobufSerde<>(GlobalFragment.class, GlobalFragment.parser());
    public static final ProtobufSerde<ModelRelease> MODEL_RELEASE = new ProtobufSerde<>(ModelRelease.class, ModelRelease.parser());
    public static final ProtobufSerde<FrameTracks> FRAME_TRACKS = new ProtobufSerde<>(FrameTracks.class, FrameTracks.parser());
    public static final ProtobufSerde<IdentityCorrection> IDENTITY_CORRECTION =
            new ProtobufSerde<>(IdentityCorrection.class, IdentityCorrection.parser());
    public static final ProtobufSerde<StimulusCommand> STIMULUS_COMMAND = new ProtobufSerde<>(StimulusCommand.class, StimulusCommand.parser());

    public static final ProtobufSerde<FrameTruth> FRAME_TRUTH = new ProtobufSerde<>(FrameTruth.class, FrameTruth.parser());

    /** For a producer that writes several record types to several topics. */
    public static final Serializer<Message> ANY_MESSAGE = (topic, value) -> value == null ? null : value.toByteArray();

    private Serdes() {
    }
}
