package dev.shoal.ingest;

import dev.shoal.core.kafka.KafkaSettings;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The frame producer's settings: the shared ones of {@link KafkaSettings#producer} (idempotence,
 * acks=all, the record size limit), with the few that depend on frames of one size overridden.
 *
 * <ul>
 *   <li>No compression: the producer compresses on the sending thread and the broker decompresses
 *       to validate each batch, both on the cores that decode; lz4 and zstd cost more CPU per frame
 *       than sending the bytes as they are (docs/BENCHMARKS.md, ingest section).</li>
 *   <li>batch.size fits one whole frame record: a batch of exactly batch.size is recycled by the
 *       producer's buffer pool, while a record larger than batch.size gets a fresh buffer of its own
 *       for every frame (1 MiB of garbage per frame at 1024x1024).</li>
 * </ul>
 * buffer.memory stays the shared 4 x the record limit: the frames in flight, bounded; a file
 * source's send blocks when it is full (back-pressure).
 */
public final class FrameProducerSettings {

    /** Room in a batch for the record's envelope (session, camera, times, flags, batch header). */
    static final int ENVELOPE_BYTES = 4096;

    private FrameProducerSettings() {
    }

    /** Producer settings for {@code width} x {@code height} GRAY8 frames. */
    public static Properties of(KafkaSettings settings, String clientId, int width, int height) {
        Properties p = settings.producer(clientId);
        long frameRecord = (long) width * height + ENVELOPE_BYTES;
        int shared = ((Number) p.get(ProducerConfig.BATCH_SIZE_CONFIG)).intValue();
        long batch = Math.max(shared, frameRecord);
        if (batch <= settings.maxRecordBytes()) {
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, (int) batch);
        }
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return p;
    }
}
