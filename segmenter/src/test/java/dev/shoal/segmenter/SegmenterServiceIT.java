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
