package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.GlobalFragment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across a crash, on a real in-process broker: a live session is segmented by one
 * instance that is halted mid-transaction, then by a new instance; what read_committed readers see
 * equals, record for record, what an uninterrupted run publishes on another broker.
 */
class SegmenterServiceRestartIT {

    private static final int W = 320;
    private static final int H = 240;
    private static final int FRAMES = 120;
    private static final int BEFORE_CRASH = 60;
    private static final int COMMIT_EVERY = 16;
    private static final SegmentationSettings SEGMENTATION = new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 20, 1000, 0);
    /**
     * A 1 s warm-up (25 frames) of a live session: it refreshes its background and emits long global
     * fragments early. Being live, it segments from the frame after its warm-up on.
     */
    private static final WarmUp WARM_UP = new WarmUp(1, 25, 52, 3, true);
    private static final int WARM_UP_FRAMES = 25;
    private static final OnlineSettings ONLINE = new OnlineSettings(30, 25);
    private static final SegmenterService.Transactions TRANSACTIONS =
            new SegmenterService.Transactions(COMMIT_EVERY, 0, "0");

    @TempDir
    Path temp;

    /** Three bodies; two of them cross mid-session, so fragments break and several global fragments form. */
    private static Frame frame(int t) {
        SyntheticFrame image = new SyntheticFrame(W, H, 200)
                .ellipse(60 + 0.8 * t, 40, 16, 6, 10, 60)
                .ellipse(40 + 2 * t, 130, 16, 6, 0, 60)
                .ellipse(280 - 2 * t, 122, 16, 6, 20, 60);
        return Frame.newBuilder().setSession("live-1").setIndex(t).setWidth(W).setHeight(H).setFps(25)
                .setCaptureTimeNs(1_000_000L * t).setPixels(ByteString.copyFrom(image.pixels(2, t)))
                .setLast(t == FRAMES - 1).build();
    }

    private static void publishFrames(KafkaSettings settings, int from, int to) {
        try (var producer = new KafkaProducer<>(settings.producer("camera"), new StringSerializer(),
                Serdes.FRAME.serializer())) {
            for (int t = from; t < to; t++) {
                producer.send(new ProducerRecord<>(Topics.FRAMES, "live-1", frame(t)));
            }
        }
    }

    private static SegmenterService service(KafkaSettings settings) {
        return new SegmenterService(settings, SegmenterService.GROUP, Map.of(), SEGMENTATION, WARM_UP, ONLINE,
                TRANSACTIONS);
    }

    private static Thread start(SegmenterService service) {
        Thread thread = new Thread(service, "segmenter");
        thread.start();
        return thread;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Reads a topic's committed records up to the one that says it is the session's last. */
    private static <T extends Message> List<T> readCommitted(KafkaSettings settings, String topic,
                                                             Deserializer<T> deserializer,
                                                             java.util.function.Predicate<T> last) {
        List<T> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(settings.consumer("reader-" + topic, "reader"),
                new StringDeserializer(), deserializer)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((out.isEmpty() || !last.test(out.get(out.size() - 1))) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    /** The run's blobs without their segmentation time, the one field that is a measurement. */
    private static List<FrameBlobs> withoutTimings(List<FrameBlobs> blobs) {
        return blobs.stream().map(b -> b.toBuilder().clearSegmentNs().build()).toList();
    }

    private record Run(List<FrameBlobs> blobs, List<GlobalFragment> globals) {
    }

    private Run uninterrupted() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp.resolve("uninterrupted"))) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            publishFrames(settings, 0, FRAMES);
            SegmenterService service = service(settings);
            start(service);
            try {
                return read(settings);
            } finally {
                service.stop();
                service.awaitStopped();
                assertNull(service.failure());
                assertEquals(FRAMES - WARM_UP_FRAMES, service.framesSegmented());
                assertEquals(WARM_UP_FRAMES, service.framesSkipped());
            }
        }
    }

    private static Run read(KafkaSettings settings) {
        return new Run(readCommitted(settings, Topics.BLOBS, Serdes.FRAME_BLOBS.deserializer(), FrameBlobs::getLast),
                readCommitted(settings, Topics.GLOBAL_FRAGMENTS, Serdes.GLOBAL_FRAGMENT.deserializer(),
                        GlobalFragment::getLast));
    }

    @Test
    void aServiceRestartedAfterACrashMidTransactionPublishesExactlyWhatAnUninterruptedRunPublishes() throws Exception {
        Run reference = uninterrupted();
        assertEquals(FRAMES - WARM_UP_FRAMES, reference.blobs().size());
        assertEquals(WARM_UP_FRAMES, reference.blobs().get(0).getIndex());
        assertTrue(reference.globals().size() >= 4, "global fragments before, after and across the 30-frame span: "
                + reference.globals().size());

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp.resolve("crashed"))) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            publishFrames(settings, 0, BEFORE_CRASH);
            SegmenterService first = service(settings);
            start(first);
            await(() -> first.framesSegmented() == BEFORE_CRASH - WARM_UP_FRAMES || first.failure() != null,
                    "the first instance segments the frames published so far");
            first.halt();
            first.awaitStopped();
            assertNull(first.failure());

            publishFrames(settings, BEFORE_CRASH, FRAMES);
            SegmenterService second = service(settings);
            start(second);
            Run resumed;
            try {
                resumed = read(settings);
            } finally {
                second.stop();
                second.awaitStopped();
            }
            assertNull(second.failure());
            int lastCommit = WARM_UP_FRAMES + (BEFORE_CRASH - WARM_UP_FRAMES) / COMMIT_EVERY * COMMIT_EVERY;
            assertEquals(FRAMES - lastCommit, second.framesSegmented(),
                    "the second instance resumes at the last commit (frame " + lastCommit + "), redoing the "
                            + (BEFORE_CRASH - lastCommit) + " frames whose transaction the crash left open");

            assertEquals(withoutTimings(reference.blobs()), withoutTimings(resumed.blobs()));
            assertEquals(reference.globals(), resumed.globals());
        }
    }
}
