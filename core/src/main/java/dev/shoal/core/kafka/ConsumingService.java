package dev.shoal.core.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A service stage that consumes one topic as a member of a consumer group, handles each record in
 * order, and commits after each batch (at-least-once). Runs on its own thread until {@link #stop()}.
 * Subclasses may {@link #rewind rewind} a partition, for example to re-read frames after a warm-up.
 */
public abstract class ConsumingService<V> implements PipelineService {

    private final String topic;
    private final Consumer<String, V> consumer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private boolean rewound;
    private volatile long handled;
    private volatile long busyNanos;

    private final Map<TopicPartition, Long> startOffsets;

    /**
     * @param startOffsets where to start reading partitions of {@code topic} that have no committed
     *                     offset for the group (empty: from the beginning). A one-off run passes the
     *                     topics' end offsets taken before it published anything, so it skips older
     *                     sessions on a shared cluster without missing any of its own records.
     */
    protected ConsumingService(KafkaSettings settings, String group, String clientId, String topic,
                               Deserializer<V> deserializer, Map<TopicPartition, Long> startOffsets) {
        this.topic = topic;
        this.startOffsets = Map.copyOf(startOffsets);
        this.consumer = new KafkaConsumer<>(settings.consumer(group, clientId), new StringDeserializer(), deserializer);
    }

    /** Handles one record; called on the service's thread, in offset order per partition. */
    protected abstract void handle(ConsumerRecord<String, V> record) throws Exception;

    /** Called once on the service's thread before it exits, to flush and close outputs. */
    protected abstract void closeOutputs();

    /** Re-reads {@code partition} from {@code offset}; the rest of the current batch is skipped. */
    protected final void rewind(TopicPartition partition, long offset) {
        consumer.seek(partition, offset);
        rewound = true;
    }

    @Override
    public final void run() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
                    for (TopicPartition partition : partitions) {
                        Long start = startOffsets.get(partition);
                        if (start != null && committed.get(partition) == null) {
                            consumer.seek(partition, start);
                        }
                    }
                }
            });
            while (running) {
                ConsumerRecords<String, V> records = consumer.poll(Duration.ofMillis(200));
                rewound = false;
                // Only the records handled are committed: a stop mid-batch leaves the rest to be redelivered.
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<String, V> record : records) {
                    if (!running || rewound) {
                        break;
                    }
                    if (record.value() != null) {
                        long start = System.nanoTime();
                        handle(record);
                        busyNanos += System.nanoTime() - start;
                        handled++;
                    }
                    done.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                if (!done.isEmpty() && !rewound) {
                    consumer.commitSync(done);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            try {
                closeOutputs();
            } finally {
                consumer.close(Duration.ofSeconds(5));
                stopped.countDown();
            }
        }
    }

    @Override
    public final void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public final void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Records handled so far. */
    public final long handled() {
        return handled;
    }

    /** Time spent in {@link #handle} so far. */
    @Override
    public final long busyNanos() {
        return busyNanos;
    }

    @Override
    public final Throwable failure() {
        return failure;
    }
}
