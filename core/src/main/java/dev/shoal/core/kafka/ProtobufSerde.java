package dev.shoal.core.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for one protobuf record type of the shoal topics. */
public final class ProtobufSerde<T extends Message> implements Serde<T> {

    private final Class<T> type;
    private final Parser<T> parser;

    public ProtobufSerde(Class<T> type, Parser<T> parser) {
        this.type = type;
        this.parser = parser;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : value.toByteArray();
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new SerializationException("record on " + topic + " is not a valid "
                        + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        };
    }
}
