package dev.shoal.core.kafka;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Client settings every shoal service shares: where the cluster is, how big a record may be, and
 * whether the clients serve a closed loop. A 4096x4096 GRAY8 frame is 16 MiB, so the default allows
 * that plus the record's envelope; the topic's max.message.bytes, the producer's max.request.size and
 * the consumer's fetch sizes are raised together, or large frames fail on one side.
 *
 * @param closedLoop every record goes out the moment it is sent (a live session at 30-60 fps sends one
 *                   record per frame per hop, so waiting for a batch to fill only adds latency)
 */
public record KafkaSettings(String bootstrap, int maxRecordBytes, boolean closedLoop) {

    public static final int DEFAULT_MAX_RECORD_BYTES = 17 * 1024 * 1024;
    /**
     * How long a producer waits for more records before sending a batch, for files: a short wait packs
     * a finite source's burst of frames into fewer requests.
     */
    public static final int FILE_LINGER_MS = 2;

    public KafkaSettings(String bootstrap, int maxRecordBytes) {
        this(bootstrap, maxRecordBytes, false);
    }

    public static KafkaSettings of(String bootstrap) {
        return new KafkaSettings(bootstrap, DEFAULT_MAX_RECORD_BYTES);
    }

    /** The same cluster and record size, with clients tuned for the closed loop's latency. */
    public KafkaSettings forClosedLoop() {
        return new KafkaSettings(bootstrap, maxRecordBytes, true);
    }

    /**
     * Producer tuned for large, ordered records: batching, lz4, idempotence. In a closed loop,
     * linger.ms is 0: each of the four hops from camera to stimulus would otherwise hold every
     * frame's record for the whole linger (nothing else comes within it at 60 fps).
     */
    public Properties producer(String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * maxRecordBytes);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, closedLoop ? 0 : FILE_LINGER_MS);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    /**
     * Consumer that can fetch the largest record; offsets are managed by the group. It reads only
     * committed records, so a transactional stage's aborted output (a crash) is never seen.
     */
    public Properties consumer(String groupId, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxRecordBytes);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * maxRecordBytes);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    public Properties admin() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }
}
