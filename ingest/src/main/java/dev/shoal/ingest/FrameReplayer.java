package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Re-reads one recorded session from {@code shoal.frames.v1} and republishes it under a new session
 * at the recorded pace (times a speed) or as fast as the broker allows. Pacing follows the recorded
 * capture times: each frame is due at the replay's start plus its capture-time offset from the first
 * replayed frame, divided by the speed, on the monotonic clock, so nothing accumulates as drift.
 * Republished frames carry the replay's own capture and wall times (so latency downstream is
 * measured from the replay), the recorded index, media time and pixels, and {@code last} on the
 * final frame of the range.
 */
public final class FrameReplayer {

    /** What a replay did. */
    public record Result(long frames, long firstIndex, long lastIndex, double seconds) {
    }

    private final KafkaSettings settings;
    private final Counter replayed;

    public FrameReplayer(KafkaSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.replayed = Counter.builder("shoal.ingest.frames.replayed").register(registry);
    }

    /**
     * Replays frames of {@code session} from {@code from} (inclusive, null for the start) to {@code to}
     * (exclusive, null for the end), positions by frame index or by seconds since the session's first
     * frame's capture time, as {@code asSession}. Reads up to the topic's end as it was when called.
     */
    public Result replay(String session, StreamPosition from, StreamPosition to, ReplaySpeed speed, String asSession)
            throws InterruptedException {
        if (asSession.equals(session)) {
            throw new BadInputException("--as " + asSession + ": must differ from --session, or the replay would mix"
                    + " with the recording");
        }
        try (KafkaConsumer<String, Frame> consumer = new KafkaConsumer<>(
                settings.consumer("shoal-replay-" + asSession, "replay"), new StringDeserializer(),
                Serdes.FRAME.deserializer());
             KafkaProducer<String, Frame> producer = new KafkaProducer<>(settings.producer("replay"),
                     new StringSerializer(), Serdes.FRAME.serializer())) {
            TopicPartition partition = partitionOf(consumer, session);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            // The first send would otherwise wait for metadata after the pace's origin is set, making frame 1 late.
            producer.partitionsFor(Topics.FRAMES);
            AtomicReference<Exception> failure = new AtomicReference<>();
            Pacer pacer = speed.paced() ? new Pacer(speed.factor()) : null;
            long start = System.nanoTime();
            long firstCapture = Long.MIN_VALUE;
            Frame pending = null;
            long count = 0;
            long firstIndex = -1;
            boolean done = false;
            while (!done && consumer.position(partition) < end) {
                for (ConsumerRecord<String, Frame> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() >= end) {
                        done = true;
                        break;
                    }
                    Frame frame = record.value();
                    if (frame == null || !session.equals(record.key())) {
                        continue;
                    }
                    if (firstCapture == Long.MIN_VALUE) {
                        firstCapture = frame.getCaptureTimeNs();
                    }
                    double offsetS = (frame.getCaptureTimeNs() - firstCapture) / 1e9;
                    if (from != null && from.isAfter(frame.getIndex(), offsetS)) {
                        continue;
                    }
                    if (to != null && !to.isAfter(frame.getIndex(), offsetS)) {
                        done = true;
                        break;
                    }
                    if (pending != null) {
                        republish(producer, pacer, pending, asSession, false, failure);
                        count++;
                    } else {
                        firstIndex = frame.getIndex();
                    }
                    pending = frame;
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("replay interrupted");
                }
            }
            if (pending == null) {
                throw new BadInputException("--session " + session + ": no recorded frames"
                        + (from != null || to != null ? " in the range given" : "") + " on " + Topics.FRAMES
                        + " at " + settings.bootstrap() + "; give a session that was recorded there");
            }
            republish(producer, pacer, pending, asSession, true, failure);
            count++;
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("republishing to " + Topics.FRAMES + " failed: "
                        + failure.get().getMessage(), failure.get());
            }
            return new Result(count, firstIndex, pending.getIndex(), (System.nanoTime() - start) / 1e9);
        }
    }

    private void republish(KafkaProducer<String, Frame> producer, Pacer pacer, Frame frame, String asSession,
                           boolean last, AtomicReference<Exception> failure) throws InterruptedException {
        long now = pacer != null ? pacer.awaitDue(frame.getCaptureTimeNs()) : System.nanoTime();
        Frame copy = frame.toBuilder()
                .setSession(asSession)
                .setCaptureTimeNs(now)
                .setWallTimeNs(System.currentTimeMillis() * 1_000_000L)
                .setLast(last)
                .build();
        producer.send(new ProducerRecord<>(Topics.FRAMES, asSession, copy), (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
        });
        replayed.increment();
    }

    /** The partition a producer's default partitioner put {@code session}'s frames in (murmur2 of the key). */
    private TopicPartition partitionOf(KafkaConsumer<String, Frame> consumer, String session) {
        List<PartitionInfo> partitions = consumer.partitionsFor(Topics.FRAMES, Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            throw new BadInputException("--bootstrap " + settings.bootstrap() + ": has no " + Topics.FRAMES
                    + " topic; give the cluster the session was recorded on");
        }
        byte[] key = session.getBytes(StandardCharsets.UTF_8);
        return new TopicPartition(Topics.FRAMES, Utils.toPositive(Utils.murmur2(key)) % partitions.size());
    }
}
