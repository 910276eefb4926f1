package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing on the real embedded broker. */
class FramePublisherIT {

    @TempDir
    static Path temp;

    private static EmbeddedKafkaBroker broker;
    private static KafkaSettings settings;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(temp);
        settings = KafkaSettings.of(broker.bootstrap());
        TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private KafkaProducer<String, Frame> producer(Properties p) {
        return new KafkaProducer<>(p, new StringSerializer(), Serdes.FRAME.serializer());
    }

    @Test
    void fileIsPublishedWhole_inOrder_withTheLastFrameMarked() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("whole.mp4"), IndexedVideo.Codec.MPEG4_MP4, 0, 40, 25);
        FramePublisher publisher;
        try (KafkaProducer<String, Frame> producer = producer(settings.producer("test"));
             FrameSource source = FrameSources.open(file.toString(), SourceOptions.defaults(), registry)) {
            publisher = new FramePublisher(producer, "whole", "cam0", registry, 4);
            assertEquals(40, publisher.publishAll(source));
        }
        assertEquals(40, publisher.published());
        assertEquals(0, publisher.dropped());
        List<Frame> frames = RecordedFrames.of(settings, "whole");
        assertEquals(40, frames.size());
        for (int i = 0; i < 40; i++) {
            Frame f = frames.get(i);
            assertEquals(i, f.getIndex());
            assertEquals(i, IndexedVideo.indexOf(f.getPixels().toByteArray(), f.getWidth()));
            assertEquals(i == 39, f.getLast());
            assertEquals(40, f.getFrameCount());
            assertTrue(f.getCaptureTimeNs() != 0 && f.getWallTimeNs() > 0);
        }
        assertEquals(40, registry.get("shoal.ingest.frames.read").tag("session", "whole").counter().count());
        assertEquals(40, registry.get("shoal.ingest.frames.published").tag("session", "whole").counter().count());
        assertEquals(40, registry.get("shoal.ingest.publish.latency").tag("session", "whole").timer().count());
        assertEquals(40, registry.get("shoal.ingest.read.time").tag("session", "whole").timer().count());
    }

    @Test
    void megapixelFramesGoThroughWhole_withTheFrameProducerSettings() throws Exception {
        int side = 1024;
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            written.add(GreyVideo.frame(i, side, side));
        }
        Path file = GreyVideo.write(temp.resolve("megapixel.mkv"), side, side, written);
        FramePublisher publisher;
        try (KafkaProducer<String, Frame> producer = producer(FrameProducerSettings.of(settings, "test", side, side));
             FrameSource source = FrameSources.open(file.toString(), SourceOptions.defaults(), registry)) {
            publisher = new FramePublisher(producer, "megapixel", "cam0", registry, 4);
            assertEquals(6, publisher.publishAll(source));
        }
        assertEquals(6, publisher.published());
        List<Frame> frames = RecordedFrames.of(settings, "megapixel");
        assertEquals(6, frames.size());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(written.get(i), frames.get(i).getPixels().toByteArray(), "frame " + i);
            assertEquals(i == 5, frames.get(i).getLast());
        }
    }

    @Test
    void truncatedFilePublishesTheFramesBeforeTheDamageThenFailsNamingTheFrame() throws Exception {
        Path whole = IndexedVideo.write(temp.resolve("cut.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 60, 30);
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(whole, Arrays.copyOf(bytes, bytes.length / 2));
        BadInputException e;
        try (KafkaProducer<String, Frame> producer = producer(settings.producer("test"));
             FrameSource source = FrameSources.open(whole.toString(), SourceOptions.defaults(), registry)) {
            FramePublisher publisher = new FramePublisher(producer, "cut", "cam0", registry, 4);
            e = assertThrows(BadInputException.class, () -> publisher.publishAll(source));
        }
        List<Frame> frames = RecordedFrames.of(settings, "cut");
        assertTrue(frames.size() > 10 && frames.size() < 60, "published before the damage: " + frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, IndexedVideo.indexOf(frames.get(i).getPixels().toByteArray(), frames.get(i).getWidth()));
        }
        assertTrue(e.getMessage().contains("cut.mkv: damaged or truncated at frame " + frames.size()), e.getMessage());
    }

    @Test
    void liveSourceWithAStalledBrokerDropsFramesAndStaysWithinItsQueue() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("live.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 60, 200);
        // Nothing listens on port 1: every send waits on metadata, as when the broker falls behind.
        Properties stalled = KafkaSettings.of("127.0.0.1:1").producer("stalled");
        stalled.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        stalled.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
        stalled.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1_500);
        try (KafkaProducer<String, Frame> producer = producer(stalled);
             FrameSource source = FrameSources.open(file.toString(), SourceOptions.defaults().withPaced(true), registry)) {
            FramePublisher publisher = new FramePublisher(producer, "stalled", "cam0", registry, 4);
            Thread publishing = new Thread(() -> {
                try {
                    publisher.publishAll(source);
                } catch (Exception expected) {
                    // The stalled producer fails the run once stopped; what counts is what was dropped.
                }
            });
            publishing.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (publisher.framesRead() < 60 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(60, publisher.framesRead(), "the reader kept reading while publishing was stalled");
            assertTrue(publisher.dropped() >= 60 - 4 - 1, "dropped: " + publisher.dropped());
            assertTrue(publisher.peakQueuedFrames() <= 4, "peak queue: " + publisher.peakQueuedFrames());
            assertEquals(publisher.dropped(),
                    registry.get("shoal.ingest.frames.dropped").tag("session", "stalled").counter().count());
            publisher.stop();
            publishing.join(Duration.ofSeconds(30).toMillis());
            assertTrue(!publishing.isAlive(), "stop ends a stalled publication");
            assertEquals(0, publisher.published());
        }
    }
    @Test
    void liveSourceThatEndsIsFollowedByAnEndMarkerWithoutPixels() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("live-end.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 30, 100);
        FramePublisher publisher;
        try (KafkaProducer<String, Frame> producer = producer(settings.producer("test"));
             FrameSource source = FrameSources.open(file.toString(), SourceOptions.defaults().withPaced(true), registry)) {
            publisher = new FramePublisher(producer, "live-end", "cam0", registry, 32);
            assertEquals(30, publisher.publishAll(source));
        }
        assertEquals(30, publisher.published(), "the marker is not a published frame");
        List<Frame> frames = RecordedFrames.of(settings, "live-end");
        assertEquals(31, frames.size());
        for (int i = 0; i < 30; i++) {
            assertEquals(i, frames.get(i).getIndex());
            assertTrue(!frames.get(i).getLast(), "frame " + i + " is not held back to be marked last");
        }
        assertEndMarkerFollows(frames);
    }

    @Test
    void stoppedLiveSourceEndsWithAnEndMarkerAfterItsLastSentFrame() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("live-stop.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 600, 100);
        FramePublisher publisher;
        try (KafkaProducer<String, Frame> producer = producer(settings.producer("test"));
             FrameSource source = FrameSources.open(file.toString(), SourceOptions.defaults().withPaced(true), registry)) {
            publisher = new FramePublisher(producer, "live-stop", "cam0", registry, 32);
            FramePublisher running = publisher;
            Thread publishing = new Thread(() -> {
                try {
                    running.publishAll(source);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            publishing.start();
            while (publisher.published() < 20 && publishing.isAlive()) {
                Thread.sleep(20);
            }
            publisher.stop();
            publishing.join();
        }
        List<Frame> frames = RecordedFrames.of(settings, "live-stop");
        assertTrue(frames.size() > 20 && frames.size() < 600, "stopped part way: " + frames.size());
        assertEquals(publisher.published() + 1, frames.size(), "every sent frame, then the marker");
        for (Frame f : frames.subList(0, frames.size() - 1)) {
            assertTrue(!f.getLast() && !f.getPixels().isEmpty(), "frame " + f.getIndex());
        }
        assertEndMarkerFollows(frames);
    }

    private static void assertEndMarkerFollows(List<Frame> frames) {
        Frame before = frames.get(frames.size() - 2);
        Frame end = frames.get(frames.size() - 1);
        assertTrue(end.getLast(), "the end marker is last");
        assertTrue(end.getPixels().isEmpty(), "the end marker has no image");
        assertEquals(before.getIndex() + 1, end.getIndex());
        assertEquals(before.getWidth(), end.getWidth());
        assertEquals(before.getCaptureTimeNs(), end.getCaptureTimeNs());
    }
}
