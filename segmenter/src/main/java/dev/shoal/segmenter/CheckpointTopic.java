package dev.shoal.segmenter;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.core.kafka.CompactedTopic;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Topics;
import dev.shoal.segmenter.proto.SessionCheckpoint;
import dev.shoal.segmenter.proto.StoredImage;
import java.util.HashMap;
import java.util.Map;

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
     * The newest committed checkpoint of every session that has one, with its background and crops.
     * Fails, naming the topic, when it is missing.
     */
    public static Map<String, StoredSession> load(KafkaSettings settings) {
        Map<String, SessionCheckpoint> checkpoints = new HashMap<>();
        Map<String, byte[]> backgrounds = new HashMap<>();
        Map<String, Map<String, byte[]>> crops = new HashMap<>();
        try {
            for (Map.Entry<String, byte[]> record : CompactedTopic.read(settings, Topics.SEGMENTER_STATE, "segmenter")
                    .entrySet()) {
                apply(record.getKey(), record.getValue(), checkpoints, backgrounds, crops);
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
            checkpoints.put(key.substring(0, key.length() - STATE.length()), SessionCheckpoint.parseFrom(value));
        } else if (key.endsWith(BACKGROUND)) {
            backgrounds.put(key.substring(0, key.length() - BACKGROUND.length()),
                    StoredImage.parseFrom(value).getPixels().toByteArray());
        } else {
            int at = key.lastIndexOf(CROP);
            if (at >= 0) {
                crops.computeIfAbsent(key.substring(0, at), s -> new HashMap<>()).put(key.substring(at + CROP.length()),
                        StoredImage.parseFrom(value).getPixels().toByteArray());
            }
        }
    }
}
