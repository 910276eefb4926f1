package dev.shoal.ingest;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads back what a test published on the frames topic. */
final class RecordedFrames {

    private RecordedFrames() {
    }

    /** Every frame of {@code session} on the topic now, in offset order. */
    static List<Frame> of(KafkaSettings settings, String session) {
        try (KafkaConsumer<String, Frame> consumer = new KafkaConsumer<>(settings.consumer("test-reader", "test"),
                new StringDeserializer(), Serdes.FRAME.deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.FRAMES).stream()
                    .map(p -> new TopicPartition(Topics.FRAMES, p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var ends = consumer.endOffsets(partitions);
            List<Frame> frames = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, Frame> r : consumer.poll(Duration.ofMillis(200))) {
                    if (session.equals(r.key())) {
                        frames.add(r.value());
                    }
                }
            }
            return frames;
        }
    }
}
