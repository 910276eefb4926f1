package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.IdentityCorrection;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.Track;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identifier and the model-based writer on a real broker: three synthetic animals whose crops a
 * tiny band model tells apart, provisional tracks first, a model hot-swapped mid-stream, a wrong
 * model refused while the first keeps serving, then the trainer's last release.
 */
class IdentificationServiceIT {

    private static final String SESSION = "it-session";
    static final int CROP = 24;
    static final int ANIMALS = 3;
    static final int FRAMES = 120;
    private static final int CROSSING_FIRST = 40;
    private static final int CROSSING_LAST = 44;

    /** Fragment id -> animal: animals 1 and 2 cross at frames 40-44 and come out in shuffled fragments. */
    private static final Map<Long, Integer> ANIMAL_OF_FRAGMENT = Map.of(11L, 1, 12L, 2, 13L, 3, 21L, 2, 22L, 1);

    private final BandCrops bands = new BandCrops(CROP, ANIMALS);

    private FrameBlobs frame(long index, Random random) {
        return frame(bands, SESSION, index, random);
    }

    /** Frame {@code index} of the scenario: fragments 11-13, a crossing at 40-44, then 21, 13, 22. */
    static FrameBlobs frame(BandCrops bands, String session, long index, Random random) {
        FrameBlobs.Builder frame = FrameBlobs.newBuilder().setSession(session).setIndex(index)
                .setCaptureTimeNs(System.nanoTime()).setMediaTimeS(index / 25.0).setLast(index == FRAMES - 1);
        boolean crossing = index >= CROSSING_FIRST && index <= CROSSING_LAST;
        if (crossing) {
            frame.addBlobs(Blob.newBuilder().setKind(BlobKind.CROSSING).setFragment(900)
                    .setX(x(1, index) / 2 + x(2, index) / 2).setY(y(1) / 2 + y(2) / 2));
        }
        for (long fragment : index < CROSSING_FIRST ? new long[] {11, 12, 13} : crossing ? new long[] {13}
                : new long[] {21, 13, 22}) {
            int animal = ANIMAL_OF_FRAGMENT.get(fragment);
            frame.addBlobs(Blob.newBuilder().setKind(BlobKind.INDIVIDUAL).setFragment(fragment)
                    .setX(x(animal, index)).setY(y(animal)).setCropSize(CROP).setCrop(bands.crop(animal, random)));
        }
        return frame.build();
    }

    private static double x(int animal, long frame) {
        return 20.0 * animal + 0.5 * frame;
    }

    private static double y(int animal) {
        return 50.0 + 10 * animal;
    }

    @Test
    void identifiesThroughAHotSwapRefusesAWrongModelAndEndsWithCorrectionsAndTheMarker(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("broker"))) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            IdentificationService identifier = new IdentificationService(settings, IdentificationService.GROUP, Map.of(),
                    IdentificationService.Options.defaults(ANIMALS, CROP));
            Path csv = dir.resolve("trajectories.csv");
            TrajectoryWriterService writer = new TrajectoryWriterService(settings, SESSION, Map.of(), csv, 10);
            Thread identifierThread = new Thread(identifier, "identifier");
            Thread writerThread = new Thread(writer, "writer");
            identifierThread.start();
            writerThread.start();
            Random random = new Random(17);
            try (KafkaProducer<String, Message> producer = new KafkaProducer<>(settings.producer("it"),
                    new StringSerializer(), Serdes.ANY_MESSAGE)) {
                for (int i = 0; i < 60; i++) {
                    producer.send(new ProducerRecord<>(Topics.BLOBS, SESSION, frame(i, random)));
                }
                producer.flush();
                awaitFrames(writer, 60, identifier);
                producer.send(new ProducerRecord<>(Topics.MODELS, SESSION, bands.release(SESSION, 1, 12f))).get();
                for (int i = 60; i < 90; i++) {
                    producer.send(new ProducerRecord<>(Topics.BLOBS, SESSION, frame(i, random)));
                }
                ModelRelease forFour = new BandCrops(CROP, 4).release(SESSION, 2, 12f);
                producer.send(new ProducerRecord<>(Topics.MODELS, SESSION, forFour));
                for (int i = 90; i < FRAMES; i++) {
                    producer.send(new ProducerRecord<>(Topics.BLOBS, SESSION, frame(i, random)));
                }
                producer.send(new ProducerRecord<>(Topics.MODELS, SESSION,
                        bands.release(SESSION, 3, 12f).toBuilder().setLast(true).build())).get();
            }
            TrajectoryStats stats = writer.result().get(60, TimeUnit.SECONDS);
            identifier.stop();
            writer.stop();
            identifier.awaitStopped();
            writer.awaitStopped();
            assertNull(identifier.failure());
            assertEquals(FRAMES, stats.frames());

            List<FrameTracks> tracks = readAll(settings, Topics.TRACKS, Serdes.FRAME_TRACKS.deserializer(), FRAMES);
            checkTracks(tracks);
            List<IdentityCorrection> corrections = readUntilEndMarker(settings);
            checkCorrections(corrections);
            checkTrajectories(csv);
            List<String> wide = Files.readAllLines(TrajectoryWriterService.wideCsv(csv));
            assertEquals("time,x1,y1,x2,y2,x3,y3", wide.get(0));
            assertEquals(FRAMES + 1, wide.size(), "one line per frame");
        }
    }

    private static void awaitFrames(TrajectoryWriterService writer, long frames, IdentificationService identifier)
            throws InterruptedException {
        while (writer.framesWritten() < frames) {
            assertNull(identifier.failure(), "identifier failed");
            Thread.sleep(20);
        }
    }

    private static void checkTracks(List<FrameTracks> tracks) {
        Map<Long, FrameTracks> byIndex = new TreeMap<>();
        long version = 0;
        for (FrameTracks frame : tracks) {
            assertNull(byIndex.put(frame.getIndex(), frame), "frame " + frame.getIndex() + " published twice");
            assertTrue(frame.getModelVersion() >= version, "model versions never go back");
            version = frame.getModelVersion();
            assertTrue(version != 2, "the model for 4 animals was refused");
            Set<Long> identities = new HashSet<>();
            for (Track t : frame.getTracksList()) {
                if (version > 0 && t.getIdentity() > 0) {
                    assertTrue(identities.add(t.getIdentity()), "frame " + frame.getIndex() + ": identity twice");
                    assertEquals((long) ANIMAL_OF_FRAGMENT.get(t.getFragment()), t.getIdentity(),
                            "frame " + frame.getIndex() + " fragment " + t.getFragment());
                    assertTrue(t.getConfidence() > 0.5);
                }
            }
        }
        assertEquals(FRAMES, byIndex.size(), "every frame published once");
        assertEquals(0, byIndex.get(0L).getModelVersion(), "tracks are provisional before the model");
        assertEquals(11, byIndex.get(0L).getTracks(0).getIdentity(), "provisional identity = fragment id");
        assertTrue(byIndex.get((long) FRAMES - 1).getModelVersion() >= 1, "the model serves the last frames");
        assertTrue(byIndex.get((long) FRAMES - 1).getLast());
    }

    private static void checkCorrections(List<IdentityCorrection> corrections) {
        IdentityCorrection marker = corrections.get(corrections.size() - 1);
        assertTrue(marker.getLast());
        assertEquals(3, marker.getModelVersion(), "final under the last release");
        Map<Long, Long> finalIdentity = new HashMap<>();
        for (IdentityCorrection c : corrections.subList(0, corrections.size() - 1)) {
            assertFalse(c.getLast());
            finalIdentity.put(c.getFragment(), c.getNewIdentity());
        }
        // The first model corrected every provisional fragment to its animal; the last had nothing to change.
        for (long fragment : List.of(11L, 12L, 13L)) {
            assertEquals((long) ANIMAL_OF_FRAGMENT.get(fragment), finalIdentity.get(fragment), "fragment " + fragment);
        }
        assertTrue(corrections.stream().noneMatch(c -> c.getModelVersion() == 3 && !c.getLast()),
                "the last model agrees with the first: no correction under it");
    }

    private static void checkTrajectories(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(TrajectoryCsvWriter.HEADER, lines.get(0));
        int interpolated = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            long frame = Long.parseLong(f[0]);
            long identity = Long.parseLong(f[2]);
            long fragment = Long.parseLong(f[7]);
            boolean filled = f[8].equals("1");
            if (filled) {
                interpolated++;
                assertTrue(frame >= CROSSING_FIRST && frame <= CROSSING_LAST && identity <= 2, line);
                assertEquals(x((int) identity, frame), Double.parseDouble(f[3]), 1e-3, "interpolated x: " + line);
            } else if (fragment != 900) {
                assertEquals((long) ANIMAL_OF_FRAGMENT.get(fragment), identity, "corrected identity: " + line);
            }
        }
        assertEquals(2 * (CROSSING_LAST - CROSSING_FIRST + 1), interpolated, "animals 1 and 2 through the crossing");
    }

    private static <V> List<V> readAll(KafkaSettings settings, String topic,
                                       org.apache.kafka.common.serialization.Deserializer<V> deserializer, int count) {
        List<V> values = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(settings.consumer("it-read-" + topic, "it"),
                new StringDeserializer(), deserializer)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            // Anything published twice would show up here.
            for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(500))) {
                values.add(record.value());
            }
        }
        return values;
    }

    private static List<IdentityCorrection> readUntilEndMarker(KafkaSettings settings) {
        List<IdentityCorrection> corrections = new ArrayList<>();
        try (KafkaConsumer<String, IdentityCorrection> consumer = new KafkaConsumer<>(
                settings.consumer("it-read-corrections", "it"), new StringDeserializer(),
                Serdes.IDENTITY_CORRECTION.deserializer())) {
            consumer.subscribe(List.of(Topics.IDENTITY_CORRECTIONS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((corrections.isEmpty() || !corrections.get(corrections.size() - 1).getLast())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, IdentityCorrection> record : consumer.poll(Duration.ofMillis(200))) {
                    corrections.add(record.value());
                }
            }
        }
        return corrections;
    }
}
