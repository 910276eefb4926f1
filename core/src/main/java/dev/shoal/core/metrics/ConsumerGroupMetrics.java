package dev.shoal.core.metrics;

import dev.shoal.core.kafka.KafkaSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each stage's consumer group has taken from its input topic, read from the outside with the
 * AdminClient (committed offsets against end offsets), so no service needs a hook:
 * <ul>
 *   <li>{@code shoal_consumer_lag_records{session,stage,topic,partition}}: records waiting for the stage;</li>
 *   <li>{@code shoal_frames_in_total{session,stage}}: frames the stage has consumed and committed since the run
 *       began (for stages whose input is one record per frame), the highest committed offset minus the run's
 *       start offset, so a segmenter that rewinds after its warm-up never makes it go down.</li>
 * </ul>
 * On a cluster shared with other sessions the offsets count every session's records on the partition.
 * Updated by {@link #poll()}.
 */
public final class ConsumerGroupMetrics implements MeterBinder, AutoCloseable {

    /**
     * One stage's consumer group on one input topic.
     *
     * @param framesIn the topic carries one record per frame, so consumed records are frames in
     */
    public record Group(String stage, String group, String topic, boolean framesIn) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupMetrics.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final String session;
    private final List<Group> groups;
    private final Map<TopicPartition, Long> startOffsets;
    private final Admin admin;
    private final Map<String, AtomicLong> framesIn = new ConcurrentHashMap<>();
    private final Map<Group, Map<Integer, AtomicLong>> lag = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    /** @param startOffsets where the run began on each partition (absent: offset 0) */
    public ConsumerGroupMetrics(KafkaSettings settings, String session, List<Group> groups,
                                Map<TopicPartition, Long> startOffsets) {
        this.session = session;
        this.groups = List.copyOf(groups);
        this.startOffsets = Map.copyOf(startOffsets);
        var props = settings.admin();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "metrics-consumer-groups");
        this.admin = Admin.create(props);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (Group group : groups) {
            if (group.framesIn() && !framesIn.containsKey(group.stage())) {
                AtomicLong count = new AtomicLong();
                framesIn.put(group.stage(), count);
                FunctionCounter.builder("shoal.frames.in", count, AtomicLong::get)
                        .description("Frames the stage has consumed and committed")
                        .tags("session", session, "stage", group.stage())
                        .register(registry);
            }
        }
    }

    /** Reads every group's committed offsets and the topics' end offsets once; a failed read leaves the last values. */
    public void poll() {
        try {
            Set<String> topics = new HashSet<>();
            groups.forEach(g -> topics.add(g.topic()));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((name, description) -> description.partitions().forEach(p ->
                            latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((partition, info) -> ends.put(partition, info.offset()));
            for (Group group : groups) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.group())
                        .partitionsToOffsetAndMetadata().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                long consumed = 0;
                for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                    if (!end.getKey().topic().equals(group.topic())) {
                        continue;
                    }
                    long start = startOffsets.getOrDefault(end.getKey(), 0L);
                    OffsetAndMetadata offset = committed.get(end.getKey());
                    long position = offset == null ? start : Math.max(start, offset.offset());
                    lagOf(group, end.getKey().partition()).set(Math.max(0, end.getValue() - position));
                    consumed += position - start;
                }
                AtomicLong in = framesIn.get(group.stage());
                if (group.framesIn() && in != null) {
                    in.accumulateAndGet(consumed, Math::max);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("consumer group offsets not read: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private AtomicLong lagOf(Group group, int partition) {
        return lag.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).computeIfAbsent(partition, p -> {
            AtomicLong value = new AtomicLong();
            MeterRegistry target = registry;
            if (target != null) {
                Gauge.builder("shoal.consumer.lag", value, AtomicLong::get)
                        .description("Records on the topic's partition the stage has not yet consumed and committed")
                        .baseUnit("records")
                        .tags("session", session, "stage", group.stage(), "topic", group.topic(),
                                "partition", Integer.toString(p))
                        .register(target);
            }
            return value;
        });
    }

    @Override
    public void close() {
        admin.close(CALL_TIMEOUT);
    }
}
