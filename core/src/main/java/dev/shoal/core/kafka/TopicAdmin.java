package dev.shoal.core.kafka;

import dev.shoal.core.BadInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/** Checks that a cluster answers and creates the shoal topics on it. */
public final class TopicAdmin {

    private TopicAdmin() {
    }

    /**
     * Fails with a one-line {@link BadInputException} when nothing answers at {@code bootstrap}
     * within {@code timeout}, instead of the clients' endless retries.
     */
    public static void requireReachable(KafkaSettings settings, Duration timeout) {
        try (Admin admin = Admin.create(adminProps(settings, timeout))) {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new BadInputException("--bootstrap " + settings.bootstrap() + ": no Kafka broker answered within "
                    + timeout.toSeconds() + " s; start one (deploy/bin/kafka-standalone.sh) or omit --bootstrap"
                    + " to use the embedded broker");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while contacting " + settings.bootstrap(), e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new BadInputException("--bootstrap " + settings.bootstrap() + ": " + e.getMessage()
                    + "; give host:port of a Kafka broker");
        }
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    public static void createTopics(KafkaSettings settings, List<Topics.Spec> specs) {
        createTopics(settings, specs, Optional.empty());
    }

    /**
     * As {@link #createTopics(KafkaSettings, List)}, each new topic with {@code replicationFactor}
     * replicas (a cluster's own default when empty).
     */
    public static void createTopics(KafkaSettings settings, List<Topics.Spec> specs, Optional<Short> replicationFactor) {
        try (Admin admin = Admin.create(adminProps(settings, Duration.ofSeconds(30)))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (Topics.Spec spec : specs) {
                if (!existing.contains(spec.name())) {
                    missing.add(new NewTopic(spec.name(), Optional.of(spec.partitions()), replicationFactor)
                            .configs(spec.configs()));
                }
            }
            admin.createTopics(missing).values().forEach((name, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating " + name, e);
                }
            });
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics on " + settings.bootstrap() + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    /** The current end offset of every partition of {@code topics}: where a new run's records will start. */
    public static Map<TopicPartition, Long> endOffsets(KafkaSettings settings, Collection<String> topics) {
        try (Admin admin = Admin.create(adminProps(settings, Duration.ofSeconds(30)))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get().forEach((name, description) ->
                    description.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()),
                            OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read end offsets of " + topics + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading end offsets", e);
        }
    }

    private static Properties adminProps(KafkaSettings settings, Duration timeout) {
        Properties p = settings.admin();
        int ms = (int) timeout.toMillis();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return p;
    }
}
