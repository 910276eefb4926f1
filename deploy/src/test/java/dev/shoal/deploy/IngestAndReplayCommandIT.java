package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.ProtobufSerde;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.AnimalTruth;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.FrameTruth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestAndReplayCommandIT {

    @TempDir
    Path temp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ShoalCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString().trim(), err.toString().trim());
    }

    @Test
    void ingestedFileIsReplayedUnderANewSession() throws Exception {
        Path video = temp.resolve("video.mkv");
        MovingEllipsesVideo.write(video, 30);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            Run ingest = run("ingest", video.toString(), "--session", "s1", "--stride", "2",
                    "--bootstrap", broker.bootstrap());
            assertEquals(0, ingest.code(), ingest.err());
            assertTrue(ingest.err().contains("15 frames read, 15 published, 0 dropped"), ingest.err());
            Run replay = run("replay", "--session", "s1", "--from", "5", "--speed", "max", "--as", "s1-again",
                    "--bootstrap", broker.bootstrap());
            assertEquals(0, replay.code(), replay.err());
            assertEquals("s1-again", replay.out());
            assertTrue(replay.err().contains("10 frames of s1 (index 5..14) republished as s1-again"), replay.err());
        }
    }

    @Test
    void arenaSourcePublishesItsGroundTruthBesideEveryFrame() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            Run ingest = run("ingest", "arena:animals=3,frames=40,fps=100,size=256x256,seed=4", "--session", "live",
                    "--bootstrap", broker.bootstrap());
            assertEquals(0, ingest.code(), ingest.err());
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            List<Frame> records = readAll(settings, Topics.FRAMES, Serdes.FRAME);
            List<Frame> frames = records.stream().filter(f -> !f.getPixels().isEmpty()).toList();
            assertEquals(1, records.size() - frames.size(), "one end marker after the frames");
            assertTrue(records.get(records.size() - 1).getLast() && records.get(records.size() - 1).getPixels().isEmpty());
            List<FrameTruth> truths = readAll(settings, Topics.TRUTH, Serdes.FRAME_TRUTH);
            assertEquals(40 - frames.size(), Long.parseLong(ingest.err().replaceAll(".* (\\d+) dropped.*", "$1")),
                    "every frame not dropped is on the topic: " + ingest.err());
            assertEquals(40, truths.size(), "truth for every frame the arena rendered");
            Map<Long, FrameTruth> byIndex = truths.stream().collect(Collectors.toMap(FrameTruth::getIndex, t -> t));
            for (Frame frame : frames) {
                FrameTruth truth = byIndex.get(frame.getIndex());
                assertEquals("live", truth.getSession());
                assertEquals(frame.getCaptureTimeNs(), truth.getCaptureTimeNs(), "truth shares the frame's capture time");
                assertEquals(3, truth.getAnimalsCount());
                for (AnimalTruth animal : truth.getAnimalsList()) {
                    assertTrue(animal.getX() > 0 && animal.getX() < 256 && animal.getY() > 0 && animal.getY() < 256);
                }
            }
        }
    }

    private static <T extends Message> List<T> readAll(KafkaSettings settings, String topic, ProtobufSerde<T> serde) {
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(settings.consumer("read-" + topic, "test"),
                new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<T> out = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
            return out;
        }
    }

    @Test
    void badSourcesAndOptionsAreOneLineErrorsWithExitCodeTwo() {
        for (String[] args : new String[][] {
                {"ingest", "gopher://host/video"},
                {"ingest", temp.resolve("missing.mp4").toString()},
                {"ingest", "device:/dev/video-none"},
                {"ingest", temp.toString(), "--start", "later"},
                {"replay", "--session", "s", "--speed", "fast", "--bootstrap", "localhost:1"}}) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertFalse(r.err().contains("\n"), r.err());
            assertTrue(r.err().startsWith("shoal: "), r.err());
        }
    }
}
