package dev.shoal.deploy.serve;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.PipelineService;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.identifier.TrajectoryWriterService;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The writer service: watches {@code shoal.tracks.v1} in group {@value #GROUP} and gives every
 * session it finds a {@link TrajectoryWriterService} of its own, which writes
 * {@code OUT/<session>/trajectories.csv} (and the wide CSV, and trajectories.parquet when the config's
 * {@code writer.parquet} is on) when the session is complete.
 *
 * <p>A session's tracks are held until its end (corrections revise the past), so a restart must read
 * an unfinished session again from its first record: the watcher commits, per partition, no further
 * than the first offset of the oldest session still being written on it, and a session whose
 * trajectories.csv exists is done. Each process's per-session writers use groups of their own (the
 * session plus a per-process id), so they never resume from a dead writer's offsets.
 */
final class SessionTrajectoryWriters implements PipelineService {

    static final String GROUP = "shoal-writer";
    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9._-]+");

    /** A session being written: its writer, the partition it is on and its first offset there. */
    private record Open(TrajectoryWriterService writer, TopicPartition partition, long firstOffset) {
    }

    private final KafkaSettings settings;
    private final ServeConfig config;
    private final PrintWriter log;
    private final String process = UUID.randomUUID().toString().substring(0, 8);
    private final Consumer<String, FrameTracks> consumer;
    private final Map<String, Open> open = new HashMap<>();
    private final Set<String> done = new HashSet<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private boolean closing;
    private volatile Throwable failure;
    private volatile long busyNanos;

    SessionTrajectoryWriters(KafkaSettings settings, ServeConfig config, PrintWriter log) {
        this.settings = settings;
        this.config = config;
        this.log = log;
        this.consumer = new KafkaConsumer<>(settings.consumer(GROUP, "trajectory-writers"), new StringDeserializer(),
                Serdes.FRAME_TRACKS.deserializer());
    }

    /** Where a session's trajectories go. */
    static Path csvOf(Path outDir, String session) {
        return outDir.resolve(session).resolve("trajectories.csv");
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.TRACKS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (closing) {
                        return;
                    }
                    commit();
                    close(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            while (running) {
                for (ConsumerRecord<String, FrameTracks> record : consumer.poll(Duration.ofMillis(200))) {
                    long start = System.nanoTime();
                    if (record.value() != null) {
                        onTracks(record);
                    }
                    busyNanos += System.nanoTime() - start;
                }
                reapFinished();
                commit();
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            try {
                commitBeforeClosing();
                closing = true;
                close(List.copyOf(consumer.assignment()));
            } finally {
                consumer.close(Duration.ofSeconds(5));
                stopped.countDown();
            }
        }
    }

    private void onTracks(ConsumerRecord<String, FrameTracks> record) throws IOException {
        String session = record.value().getSession();
        if (open.containsKey(session) || done.contains(session)) {
            return;
        }
        if (!SESSION.matcher(session).matches()) {
            done.add(session);
            log.println("serve writer: session '" + session + "' skipped: its id is not usable as a directory name");
            log.flush();
            return;
        }
        Path csv = csvOf(config.writer().outDir(), session);
        if (Files.exists(csv)) {
            done.add(session);
            return;
        }
        Files.createDirectories(csv.getParent());
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        // The session is on this partition only: the others start at their ends.
        Map<TopicPartition, Long> starts = new HashMap<>(ends(Topics.TRACKS));
        starts.put(partition, record.offset());
        Map<TopicPartition, Long> corrections = ends(Topics.IDENTITY_CORRECTIONS);
        corrections.remove(new TopicPartition(Topics.IDENTITY_CORRECTIONS, record.partition()));
        starts.putAll(corrections);
        String group = TrajectoryWriterService.GROUP_PREFIX + session + "-" + process;
        TrajectoryWriterService writer = config.learns()
                ? new TrajectoryWriterService(settings, group, session, starts, csv, config.writer().maxGapFrames(),
                        config.writer().parquet(), config.animals())
                : new TrajectoryWriterService(settings, group, session, starts, csv, config.writer().parquet());
        open.put(session, new Open(writer, partition, record.offset()));
        new Thread(writer, "shoal-writer-" + session).start();
        log.println("serve writer: session " + session + " found on " + partition + " at offset " + record.offset());
        log.flush();
    }

    private Map<TopicPartition, Long> ends(String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        return new HashMap<>(consumer.endOffsets(partitions));
    }

    /** Lets go of the sessions whose files are written; a writer that failed fails the service. */
    private void reapFinished() throws InterruptedException {
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Open> entry = it.next();
            TrajectoryWriterService writer = entry.getValue().writer();
            if (writer.result().isDone() && !writer.result().isCompletedExceptionally()) {
                writer.stop();
                writer.awaitStopped();
                it.remove();
                done.add(entry.getKey());
                log.println("serve writer: session " + entry.getKey() + ": " + writer.framesWritten() + " frames, "
                        + csvOf(config.writer().outDir(), entry.getKey()));
                log.flush();
            } else if (writer.failure() != null || writer.result().isCompletedExceptionally()) {
                Throwable cause = writer.failure();
                throw new IllegalStateException("writer of session " + entry.getKey() + " failed"
                        + (cause == null ? "" : ": " + cause.getMessage()), cause);
            }
        }
    }

    /** A stop's wake-up may still be pending: it interrupts one consumer call, so the commit is tried again. */
    private void commitBeforeClosing() {
        try {
            commit();
        } catch (WakeupException pending) {
            commit();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
    }

    /** Commits each partition's position, held back to the first offset of the oldest open session on it. */
    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            long offset = consumer.position(partition);
            for (Open session : open.values()) {
                if (session.partition().equals(partition)) {
                    offset = Math.min(offset, session.firstOffset());
                }
            }
            if (!Long.valueOf(offset).equals(committed.get(partition))) {
                offsets.put(partition, new OffsetAndMetadata(offset));
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
            offsets.forEach((partition, offset) -> committed.put(partition, offset.offset()));
        }
    }

    /** Stops the writers of sessions on {@code partitions}: another instance (or a restart) writes them. */
    private void close(Collection<TopicPartition> partitions) {
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
            Open session = it.next().getValue();
            if (partitions.contains(session.partition())) {
                session.writer().stop();
                try {
                    session.writer().awaitStopped();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                it.remove();
            }
        }
        partitions.forEach(committed::remove);
    }

    @Override
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    @Override
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public long busyNanos() {
        return busyNanos;
    }
}
