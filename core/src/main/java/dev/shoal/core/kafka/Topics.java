package dev.shoal.core.kafka;

import java.util.List;
import java.util.Map;

/** The versioned topics of DESIGN.md section 2, with the configs each needs at creation. */
public final class Topics {

    public static final String FRAMES = "shoal.frames.v1";
    public static final String BLOBS = "shoal.blobs.v1";
    public static final String GLOBAL_FRAGMENTS = "shoal.global-fragments.v1";
    public static final String MODELS = "shoal.models.v1";
    public static final String TRACKS = "shoal.tracks.v1";
    public static final String IDENTITY_CORRECTIONS = "shoal.identity-corrections.v1";
    public static final String STIMULUS = "shoal.stimulus.v1";
    public static final String TRUTH = "shoal.truth.v1";
    /** The segmenter's per-session checkpoints (background, fragment state, kept crops), compacted. */
    public static final String SEGMENTER_STATE = "shoal.segmenter-state.v1";
    /** The identifier's per-session checkpoints (assigner state, model in service), compacted. */
    public static final String IDENTIFIER_STATE = "shoal.identifier-state.v1";

    private Topics() {
    }

    /** A topic to create: its name, partition count and topic-level configs. */
    public record Spec(String name, int partitions, Map<String, String> configs) {
    }

    /**
     * Every shoal topic. Large-record topics allow {@code maxRecordBytes}; recordings are kept
     * (retention -1) so that replay is re-reading them; models are compacted so the newest release
     * of each session survives, and the segmenter's and identifier's state
     * topics keep only each session's newest checkpoint.
     */
    public static List<Spec> all(int partitions, int maxRecordBytes) {
        Map<String, String> large = Map.of(
                "max.message.bytes", Integer.toString(maxRecordBytes),
                "retention.ms", "-1",
                "compression.type", "producer");
        Map<String, String> kept = Map.of("retention.ms", "-1");
        Map<String, String> state = Map.of(
                "cleanup.policy", "compact",
                "min.cleanable.dirty.ratio", "0.1",
                "max.message.bytes", Integer.toString(maxRecordBytes));
        return List.of(
                new Spec(FRAMES, partitions, large),
                new Spec(BLOBS, partitions, large),
                new Spec(GLOBAL_FRAGMENTS, partitions, large),
                new Spec(MODELS, partitions, Map.of(
                        "cleanup.policy", "compact",
                        "max.message.bytes", Integer.toString(maxRecordBytes))),
                new Spec(TRACKS, partitions, kept),
                new Spec(IDENTITY_CORRECTIONS, partitions, kept),
                new Spec(STIMULUS, partitions, kept),
                new Spec(TRUTH, partitions, kept),
                new Spec(SEGMENTER_STATE, partitions, state),
                new Spec(IDENTIFIER_STATE, partitions, state));
    }
}
