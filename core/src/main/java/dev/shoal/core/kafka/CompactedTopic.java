package dev.shoal.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a compacted state topic whole: the services' checkpoints ({@link Topics#SEGMENTER_STATE},
 * {@link Topics#IDENTIFIER_STATE}) are written in the same transactions as their outputs and consumed
 * offsets, so reading the committed records from the start to the end gives the state every
 * committed offset belongs to.
 */
public final class CompactedTopic {

    private CompactedTopic() {
    }

    /**
     * The newest committed value of every key of {@code topic} (a key whose newest record is a
     * tombstone is absent). Fails, naming the topic and {@code reader}, when the topic is missing.
     */
    public static Map<String, byte[]> read(KafkaSettings settings, String topic, String reader) {
        Map<String, byte[]> values = new HashMap<>();
        Properties p = settings.consumer("unused", reader + "-state-reader");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " is missing on " + settings.bootstrap()
                        + "; create shoal's topics (Topics.all) before starting the " + reader);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        values.remove(record.key());
                    } else {
                        values.put(record.key(), record.value());
                    }
                }
            }
        }
        return values;
    }
}
