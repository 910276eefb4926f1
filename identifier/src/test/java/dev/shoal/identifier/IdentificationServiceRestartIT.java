package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.Message;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exactly-once identifier on a real broker: the scenario of {@link IdentificationServiceIT}
 * (provisional frames, a model, a refused model, the last release) run twice, once by one instance
 * throughout and once by an instance halted as a crash would be, after the first model and part of
 * the frames, then replaced by a new instance of the same name. The final identities come from the
 * last release (it re-scores the whole session), so both runs must write the same trajectories, and
 * the interrupted run must have committed every frame's tracks exactly once.
 */
class IdentificationServiceRestartIT {

    private static final int FRAMES = IdentificationServiceIT.FRAMES;
    private final BandCrops bands = new BandCrops(IdentificationServiceIT.CROP, IdentificationServiceIT.ANIMALS);

    @Test
    void aHaltedInstanceReplacedByOneOfTheSameNameWritesWhatAnUninterruptedOneWrites(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"))) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            Path whole = run(settings, "whole", dir, false);
            Path interrupted = run(settings, "interrupted", dir, true);
            assertEquals(FRAMES, tracksOf(settings, "interrupted"), "each frame's tracks committed once");
            List<String> expected = withoutConfidence(whole);
            List<String> actual = withoutConfidence(interrupted);
            assertEquals(FRAMES, expected.stream().skip(1).map(l -> l.split(",")[0]).distinct().count());
            assertEquals(expected, actual);
        }
    }

    /** Publishes the scenario for {@code session} and returns its trajectories, halting the first instance midway. */
    private Path run(KafkaSettings settings, String session, Path dir, boolean halt) throws Exception {
        Map<TopicPartition, Long> ends = TopicAdmin.endOffsets(settings, List.of(Topics.BLOBS, Topics.MODELS,
                Topics.TRACKS, Topics.IDENTITY_CORRECTIONS));
        String group = "identifier-" + session;
        IdentificationService first = new IdentificationService(settings, group, ends,
                IdentificationService.Options.defaults(IdentificationServiceIT.ANIMALS, IdentificationServiceIT.CROP),
                "instance-0");
        Path csv = dir.resolve(session + ".csv");
        TrajectoryWriterService writer = new TrajectoryWriterService(settings, session, ends, csv, 10);
        new Thread(first, "identifier-" + session).start();
        new Thread(writer, "writer-" + session).start();
        IdentificationService serving = first;
        Random random = new Random(17);
        try (KafkaProducer<String, Message> producer = new KafkaProducer<>(settings.producer("it"),
                new StringSerializer(), Serdes.ANY_MESSAGE)) {
            for (int i = 0; i < 60; i++) {
                producer.send(new ProducerRecord<>(Topics.BLOBS, session,
                        IdentificationServiceIT.frame(bands, session, i, random)));
            }
            producer.send(new ProducerRecord<>(Topics.MODELS, session, bands.release(session, 1, 12f)));
            for (int i = 60; i < 90; i++) {
                producer.send(new ProducerRecord<>(Topics.BLOBS, session,
                        IdentificationServiceIT.frame(bands, session, i, random)));
            }
            producer.flush();
            while (writer.framesWritten() < 75) {
                assertNull(first.failure(), "identifier failed");
                Thread.sleep(5);
            }
            if (halt) {
                first.halt();
                first.awaitStopped();
                serving = new IdentificationService(settings, group, ends, IdentificationService.Options.defaults(
                        IdentificationServiceIT.ANIMALS, IdentificationServiceIT.CROP), "instance-0");
                new Thread(serving, "identifier-" + session + "-again").start();
            }
            producer.send(new ProducerRecord<>(Topics.MODELS, session,
                    new BandCrops(IdentificationServiceIT.CROP, 4).release(session, 2, 12f)));
            for (int i = 90; i < FRAMES; i++) {
                producer.send(new ProducerRecord<>(Topics.BLOBS, session,
                        IdentificationServiceIT.frame(bands, session, i, random)));
            }
            producer.send(new ProducerRecord<>(Topics.MODELS, session,
                    bands.release(session, 3, 12f).toBuilder().setLast(true).build())).get();
        }
        writer.result().get(60, TimeUnit.SECONDS);
        serving.stop();
        writer.stop();
        serving.awaitStopped();
        writer.awaitStopped();
        assertNull(serving.failure());
        assertEquals(halt ? 1 : 0, serving.sessionsResumed(), "the second instance resumed the session from its checkpoint");
        return csv;
    }

    /** The session's tracks committed on the tracks topic. */
    private static long tracksOf(KafkaSettings settings, String session) {
        var properties = settings.consumer("unused", "it-count");
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long count = 0;
        try (KafkaConsumer<String, FrameTracks> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                Serdes.FRAME_TRACKS.deserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(Topics.TRACKS, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = consumer.endOffsets(partitions).get(partitions.get(0));
            while (consumer.position(partitions.get(0)) < end) {
                for (ConsumerRecord<String, FrameTracks> record : consumer.poll(Duration.ofMillis(200))) {
                    count += session.equals(record.key()) ? 1 : 0;
                }
            }
        }
        return count;
    }

    /** The lines without the confidence column: the certainty when a frame was first published depends on timing. */
    private static List<String> withoutConfidence(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("confidence", lines.get(0).split(",")[6]);
        List<String> rows = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
            cells.remove(6);
            rows.add(String.join(",", cells));
        }
        return rows;
    }
}
