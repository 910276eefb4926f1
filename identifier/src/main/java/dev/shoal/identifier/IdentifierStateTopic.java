package dev.shoal.identifier;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.core.kafka.CompactedTopic;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.IdentifierCheckpoint;
import dev.shoal.core.proto.ModelRelease;
import java.util.Map;

/**
 * The layout of {@link Topics#IDENTIFIER_STATE}, a compacted topic: per session, its checkpoint
 * ({@code <session>/state}) and the model in service ({@code <session>/model}, a {@link ModelRelease}
 * written once per version, deleted when the session is finished).
 */
final class IdentifierStateTopic {

    private static final String STATE = "/state";
    private static final String MODEL = "/model";

    private IdentifierStateTopic() {
    }

    static String stateKey(String session) {
        return session + STATE;
    }

    static String modelKey(String session) {
        return session + MODEL;
    }

    /** Every key's newest committed record, as stored. */
    static Map<String, byte[]> load(KafkaSettings settings) {
        return CompactedTopic.read(settings, Topics.IDENTIFIER_STATE, "identifier");
    }

    static IdentifierCheckpoint checkpoint(byte[] stored) {
        try {
            return IdentifierCheckpoint.parseFrom(stored);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable checkpoint on " + Topics.IDENTIFIER_STATE + ": " + e.getMessage(), e);
        }
    }

    static ModelRelease release(byte[] stored) {
        try {
            return ModelRelease.parseFrom(stored);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable model on " + Topics.IDENTIFIER_STATE + ": " + e.getMessage(), e);
        }
    }
}
