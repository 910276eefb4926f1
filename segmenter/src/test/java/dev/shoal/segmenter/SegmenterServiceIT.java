package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segmenter service on a real in-process broker: frames in, one FrameBlobs per frame out. */
class SegmenterServiceIT {

    private static final int W = 320;
    private static final int H = 240;
    private static final int FRAMES = 40;

    @TempDir
    Path temp;

    @Test
    void publishesOneRecordPerFrameWithBlobsFragmentsCropsAndTheGlobalFragment() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            try (var producer = new KafkaProducer<>(settings.producer("test"), new StringSerializer(),
                    Serdes.FRAME.serializer())) {
                for (int t = 0; t < FRAMES; t++) {
                    SyntheticFrame image = new SyntheticFrame(W, H, 200)
                            .ellipse(60 + 2 * t, 60, 16, 6, 0, 60)
                            .ellipse(260 - 2 * t, 180, 16, 6, 30, 60);
                    producer.send(new ProducerRecord<>(Topics.FRAMES, "s1", Frame.newBuilder()
                            .setSession("s1").setIndex(t).setWidth(W).setHeight(H).setFps(25).setFrameCount(FRAMES)
                            .setCaptureTimeNs(t).setPixels(ByteString.copyFrom(image.pixels(2, t)))
                            .setLast(t == FRAMES - 1).build()));
                }
            }
            SegmenterService service = new SegmenterService(settings, "g", Map.of(),
                    new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 20, 1000, 0),
                    new WarmUp(20, 20, 52, 2, true));
            Thread thread = new Thread(service);
            thread.start();
            List<FrameBlobs> out = new ArrayList<>();
            try (var consumer = new KafkaConsumer<>(settings.consumer("reader", "reader"), new StringDeserializer(),
                    Serdes.FRAME_BLOBS.deserializer())) {
                consumer.subscribe(List.of(Topics.BLOBS));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((out.isEmpty() || !out.get(out.size() - 1).getLast()) && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
                }
            } finally {
                service.stop();
                service.awaitStopped();
            }

            assertEquals(FRAMES, out.size(), "one record per frame, none twice after the warm-up rewind");
            Set<Long> fragments = new HashSet<>();
            for (int t = 0; t < FRAMES; t++) {
                FrameBlobs blobs = out.get(t);
                assertEquals(t, blobs.getIndex());
                assertEquals(2, blobs.getBlobsCount(), "frame " + t);
                for (Blob blob : blobs.getBlobsList()) {
                    assertEquals(BlobKind.INDIVIDUAL, blob.getKind());
                    assertEquals(52, blob.getCropSize());
                    assertEquals(52 * 52, blob.getCrop().size());
                    fragments.add(blob.getFragment());
                }
            }
            assertEquals(2, fragments.size(), "each ellipse keeps its fragment");
            assertTrue(out.get(FRAMES - 1).getLast());
            assertEquals(FRAMES, service.framesSegmented());

            List<GlobalFragment> globals = new ArrayList<>();
            try (var consumer = new KafkaConsumer<>(settings.consumer("globals", "globals"), new StringDeserializer(),
                    Serdes.GLOBAL_FRAGMENT.deserializer())) {
                consumer.subscribe(List.of(Topics.GLOBAL_FRAGMENTS));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((globals.isEmpty() || !globals.get(globals.size() - 1).getLast()) && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> globals.add(r.value()));
                }
            }
            assertEquals(2, globals.size(), "the two ellipses apart all along make one global fragment, then the end marker");
            assertTrue(globals.get(1).getLast());
            assertEquals(0, globals.get(1).getFragmentsCount());
            assertEquals(FRAMES - 1, globals.get(1).getLastFrame());
            GlobalFragment global = globals.get(0);
            assertEquals(0, global.getFirstFrame());
            assertEquals(FRAMES - 1, global.getLastFrame());
            assertEquals(fragments, Set.copyOf(global.getFragmentsList().stream().map(IndividualFragment::getId).toList()));
            for (IndividualFragment member : global.getFragmentsList()) {
                assertTrue(member.getCropsCount() >= 4, "crops kept: " + member.getCropsCount());
                assertEquals(52 * 52, member.getCrops(0).size());
            }
        }
    }

    @Test
    void aLiveSessionGoesOnFromTheFrameAfterItsWarmUpAndEndsOnAMarkerWithoutPixels() throws Exception {
        liveSessionFromTheFrameAfterItsWarmUpToItsEndMarker(SegmenterService.Transactions.defaults(), settings -> {
        });
    }

    @Test
    void withoutTransactionsALiveSessionPublishesTheSameRecordsAndWritesNoCheckpoint() throws Exception {
        liveSessionFromTheFrameAfterItsWarmUpToItsEndMarker(SegmenterService.Transactions.none(), settings -> {
            try (var consumer = new KafkaConsumer<>(settings.consumer("state", "state"), new StringDeserializer(),
                new StringDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.SEGMENTER_STATE).stream()
                        .map(p -> new TopicPartition(Topics.SEGMENTER_STATE, p.partition())).toList();
                assertEquals(0L, consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum(),
                        "nothing on the checkpoint topic");
            }
        });
    }

    /** Runs a live session through a segmenter with these transactions, checks what it published, then runs {@code andThen}. */
    private void liveSessionFromTheFrameAfterItsWarmUpToItsEndMarker(SegmenterService.Transactions transactions,
                                                                     java.util.function.Consumer<KafkaSettings> andThen)
            throws Exception {
        int warmUpFrames = 25;
        int frames = 70;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            // 1 s at 25 fps: the warm-up window is frames 0..24 of a session with no frame count (live).
            SegmenterService service = new SegmenterService(settings, "g", Map.of(),
                    new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 20, 1000, 0),
                    new WarmUp(1, 10, 52, 2, true), OnlineSettings.defaults(), transactions);
            Thread thread = new Thread(service);
            thread.start();
            List<FrameBlobs> out = new ArrayList<>();
            try (var producer = new KafkaProducer<>(settings.producer("test"), new StringSerializer(),
                    Serdes.FRAME.serializer());
                 var consumer = new KafkaConsumer<>(settings.consumer("reader", "reader"), new StringDeserializer(),
                         Serdes.FRAME_BLOBS.deserializer())) {
                // Frames keep arriving while the service warms up, as a camera's would.
                for (int t = 0; t < frames; t++) {
                    SyntheticFrame image = new SyntheticFrame(W, H, 200)
                            .ellipse(60 + 2 * t, 60, 16, 6, 0, 60)
                            .ellipse(260 - 2 * t, 180, 16, 6, 30, 60);
                    producer.send(new ProducerRecord<>(Topics.FRAMES, "live1", Frame.newBuilder()
                            .setSession("live1").setIndex(t).setWidth(W).setHeight(H).setFps(25).setFrameCount(0)
                            .setCaptureTimeNs(t).setPixels(ByteString.copyFrom(image.pixels(2, t))).build()));
                    producer.flush();
                    Thread.sleep(5);
                }
                producer.send(new ProducerRecord<>(Topics.FRAMES, "live1", Frame.newBuilder()
                        .setSession("live1").setIndex(frames).setWidth(W).setHeight(H).setFps(25).setFrameCount(0)
                        .setCaptureTimeNs(frames).setLast(true).build()));
                producer.flush();
                consumer.subscribe(List.of(Topics.BLOBS));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((out.isEmpty() || !out.get(out.size() - 1).getLast()) && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
                }
            } finally {
                service.stop();
                service.awaitStopped();
            }

            assertEquals(warmUpFrames, out.get(0).getIndex(), "the first segmented frame follows the warm-up window");
            assertEquals(warmUpFrames, service.framesSkipped());
            assertEquals(frames - warmUpFrames + 1, out.size(), "each later frame once, then the end");
            Set<Long> fragments = new HashSet<>();
            for (int i = 0; i < out.size() - 1; i++) {
                FrameBlobs blobs = out.get(i);
                assertEquals(warmUpFrames + i, blobs.getIndex());
                assertEquals(2, blobs.getBlobsCount(), "frame " + blobs.getIndex());
                assertTrue(!blobs.getLast());
                blobs.getBlobsList().forEach(b -> fragments.add(b.getFragment()));
            }
            assertEquals(2, fragments.size(), "the linker starts at the first segmented frame and keeps each ellipse");
            FrameBlobs end = out.get(out.size() - 1);
            assertEquals(frames, end.getIndex());
            assertTrue(end.getLast());
            assertEquals(0, end.getBlobsCount(), "the end marker has no image, so no blobs");

            List<GlobalFragment> globals = new ArrayList<>();
            try (var consumer = new KafkaConsumer<>(settings.consumer("globals", "globals"), new StringDeserializer(),
                    Serdes.GLOBAL_FRAGMENT.deserializer())) {
                consumer.subscribe(List.of(Topics.GLOBAL_FRAGMENTS));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while ((globals.isEmpty() || !globals.get(globals.size() - 1).getLast()) && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> globals.add(r.value()));
                }
            }
            assertEquals(2, globals.size(), "one global fragment from the first segmented frame, then the end marker");
            assertEquals(warmUpFrames, globals.get(0).getFirstFrame());
            assertEquals(frames - 1, globals.get(0).getLastFrame());
            assertTrue(globals.get(1).getLast());
            assertEquals(frames, globals.get(1).getLastFrame());
            andThen.accept(settings);
        }
    }

    private static Frame liveFrame(String session, int t) {
        SyntheticFrame image = new SyntheticFrame(W, H, 200)
                .ellipse(60 + t, 60, 16, 6, 0, 60)
                .ellipse(260 - t, 180, 16, 6, 30, 60);
        return Frame.newBuilder().setSession(session).setIndex(t).setWidth(W).setHeight(H).setFps(25)
                .setFrameCount(0).setCaptureTimeNs(t).setPixels(ByteString.copyFrom(image.pixels(2, t))).build();
    }

    @Test
    void forTheClosedLoopALiveSessionStartedLateGoesOnFromTheNewestFrameAfterItsWarmUp() throws Exception {
        int before = 70;
        int after = 10;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            SegmenterService service = new SegmenterService(settings, "g", Map.of(),
                    new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 20, 1000, 0), new WarmUp(1, 10, 52, 2, true),
                    OnlineSettings.closedLoop(), SegmenterService.Transactions.defaults());
            List<FrameBlobs> out = new ArrayList<>();
            try (var producer = new KafkaProducer<>(settings.producer("test"), new StringSerializer(),
                    Serdes.FRAME.serializer());
                 var consumer = new KafkaConsumer<>(settings.consumer("reader", "reader"), new StringDeserializer(),
                         Serdes.FRAME_BLOBS.deserializer())) {
                // The camera ran for 70 frames before the segmenter came up: 45 of them lie behind its 1 s warm-up.
                for (int t = 0; t < before; t++) {
                    producer.send(new ProducerRecord<>(Topics.FRAMES, "late", liveFrame("late", t)));
                }
                producer.flush();
                new Thread(service).start();
                consumer.subscribe(List.of(Topics.BLOBS));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (out.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
                }
                for (int t = before; t < before + after; t++) {
                    producer.send(new ProducerRecord<>(Topics.FRAMES, "late", liveFrame("late", t)));
                }
                producer.send(new ProducerRecord<>(Topics.FRAMES, "late", Frame.newBuilder().setSession("late")
                        .setIndex(before + after).setWidth(W).setHeight(H).setFps(25).setLast(true).build()));
                producer.flush();
                while ((out.isEmpty() || !out.get(out.size() - 1).getLast()) && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
                }
            } finally {
                service.stop();
                service.awaitStopped();
            }

            assertEquals(before - 1, out.get(0).getIndex(), "the newest frame when the warm-up ended comes first");
            assertEquals(before - 1, service.framesSkipped(), "the 25 warm-up frames and the 44 behind the newest");
            assertEquals(after + 2, out.size());
            for (int i = 0; i <= after; i++) {
                assertEquals(before - 1 + i, out.get(i).getIndex());
                assertEquals(2, out.get(i).getBlobsCount());
            }
            assertTrue(out.get(after + 1).getLast());
            assertEquals(before + after, out.get(after + 1).getIndex());
        }
    }

    @Test
    void withoutItsStateTopicTheServiceStopsWithAnErrorNamingIt() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()).stream()
                    .filter(spec -> !spec.name().equals(Topics.SEGMENTER_STATE)).toList());
            SegmenterService service = new SegmenterService(settings, "g", Map.of(),
                    new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 20, 1000, 0), new WarmUp(20, 20, 52, 2, true));
            Thread thread = new Thread(service);
            thread.start();
            service.awaitStopped();
            Throwable cause = service.failure();
            while (cause != null && !(cause instanceof IllegalStateException)) {
                cause = cause.getCause();
            }
            assertTrue(cause != null && cause.getMessage().contains(Topics.SEGMENTER_STATE + " is missing"),
                    "failure: " + service.failure());
        }
    }
}
