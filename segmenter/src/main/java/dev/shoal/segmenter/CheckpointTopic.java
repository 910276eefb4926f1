package dev.shoal.segmenter;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Topics;
import dev.shoal.segmenter.proto.SessionCheckpoint;
import dev.shoal.segmenter.proto.StoredImage;
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
 * The layout of {@link Topics#SEGMENTER_STATE}, a compacted topic: per session, its checkpoint
 * ({@code <session>/state}), its background ({@code <session>/background}, written again only when a
 * live refresh changed it) and each crop kept for global fragments
 * ({@code <session>/crop/<fragment>/<ordinal>}, written once, deleted when let go). A finished
 * session keeps only a small checkpoint saying so.
 */
public final class CheckpointTopic {

    /** One session's stored state, as last committed. */
    public record StoredSession(SessionCheckpoint checkpoint, byte[] background, Map<String, byte[]> crops) {

        /** The crop stored for {@code fragment} under {@code ordinal}, or null. */
        public byte[] crop(long fragment, long ordinal) {
            return crops.get(fragment + "/" + ordinal);
        }
    }

    private static final String STATE = "/state";
    private static final String BACKGROUND = "/background";
    private static final String CROP = "/crop/";

    private CheckpointTopic() {
    }

    public static String stateKey(String session) {
        return session + STATE;
    }

    public static String backgroundKey(String session) {
        return session + BACKGROUND;
    }

    public static String cropKey(String session, long fragment, long ordinal) {
        return session + CROP + fragment + "/" + ordinal;
    }

    /**
     * Reads the topic's committed records from the start to its end: the newest checkpoint of every
     * session that has one, with its background and crops. Fails, naming the topic, when it is missing.
     */
    public static Map<String, StoredSession> load(KafkaSettings settings) {
        Map<String, SessionCheckpoint> checkpoints = new HashMap<>();
        Map<String, byte[]> backgrounds = new HashMap<>();
        Map<String, Map<String, byte[]>> crops = new HashMap<>();
        Properties p = settings.consumer("unused", "segmenter-state-reader");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SEGMENTER_STATE).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.SEGMENTER_STATE + " is missing on "
                        + settings.bootstrap() + "; create shoal's topics (Topics.all) before starting the segmenter");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record.key(), record.value(), checkpoints, backgrounds, crops);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable record on " + Topics.SEGMENTER_STATE + ": " + e.getMessage(), e);
        }
        Map<String, StoredSession> sessions = new HashMap<>();
        checkpoints.forEach((session, checkpoint) -> sessions.put(session, new StoredSession(checkpoint,
                backgrounds.get(session), crops.getOrDefault(session, Map.of()))));
        return sessions;
    }

    private static void apply(String key, byte[] value, Map<String, SessionCheckpoint> checkpoints,
                              Map<String, byte[]> backgrounds, Map<String, Map<String, byte[]>> crops)
            throws InvalidProtocolBufferException {
        if (key.endsWith(STATE)) {
            String session = key.substring(0, key.length() - STATE.length());
            if (value == null) {
                checkpoints.remove(session);
            } else {
                checkpoints.put(session, SessionCheckpoint.parseFrom(value));
            }
        } else if (key.endsWith(BACKGROUND)) {
            String session = key.substring(0, key.length() - BACKGROUND.length());
            if (value == null) {
                backgrounds.remove(session);
            } else {
                backgrounds.put(session, StoredImage.parseFrom(value).getPixels().toByteArray());
            }
        } else {
            int at = key.lastIndexOf(CROP);
            if (at < 0) {
                return;
            }
            String session = key.substring(0, at);
            String crop = key.substring(at + CROP.length());
            if (value == null) {
                Map<String, byte[]> of = crops.get(session);
                if (of != null) {
                    of.remove(crop);
                }
            } else {
                crops.computeIfAbsent(session, s -> new HashMap<>()).put(crop,
                        StoredImage.parseFrom(value).getPixels().toByteArray());
            }
        }
    }
}
