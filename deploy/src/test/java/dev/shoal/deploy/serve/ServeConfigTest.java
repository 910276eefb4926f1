package dev.shoal.deploy.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.deploy.ShoalCommand;
import dev.shoal.segmenter.Polarity;
import dev.shoal.trainer.TrainingMethod;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeConfigTest {

    @TempDir
    Path dir;

    private Path config(String yaml) throws IOException {
        Path file = dir.resolve("shoal.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Runs {@code shoal serve SERVICE} against a port nothing listens on; returns exit code and error output. */
    private static String[] serve(String service, Path config) {
        StringWriter err = new StringWriter();
        int code = ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                "serve", service, "--bootstrap", "localhost:1", "--config", config.toString(), "--instance", "t",
                "--connect-timeout", "2");
        return new String[] {Integer.toString(code), err.toString().strip()};
    }

    @Test
    void fillsEveryOptionalFieldWithItsDefault() throws IOException {
        ServeConfig config = ServeConfig.read(config("animals: 7\n"));
        assertEquals(7, config.animals());
        assertEquals(1, config.kafka().partitions());
        assertEquals((short) 1, config.kafka().replicationFactor());
        assertEquals(Polarity.DARK_ON_LIGHT, config.segmentation().polarity());
        assertEquals(52, config.segmentation().cropSize());
        assertEquals(Long.MAX_VALUE, config.identifierWindowFrames());
        assertEquals(64, config.identifier().batchCrops());
        assertEquals(Duration.ofMillis(2), config.identifierMaxDelay());
        assertEquals(TrainingMethod.CLASSIC, config.trainer().method());
        assertEquals(25, config.writer().maxGapFrames());
        assertFalse(config.writer().parquet(), "trajectories.parquet is opt-in");
        assertEquals(List.of(), config.ingest().sources());
        assertTrue(config.learns());
    }

    @Test
    void readsEveryPartOfAFullFile() throws IOException {
        ServeConfig config = ServeConfig.read(config(String.join("\n",
                "animals: 5",
                "kafka: {partitions: 6, replication_factor: 3}",
                "segmentation: {polarity: LIGHT_ON_DARK, threshold: 30, min_area: 20, max_area: 400, opening: 1,",
                "               crop_size: 0, warm_up_seconds: 2.5}",
                "identifier: {window_frames: 900, batch_crops: 16, max_delay_ms: 0.5}",
                "trainer: {store: /tmp/store, method: contrastive}",
                "writer: {out_dir: /tmp/out, max_gap_frames: 12, parquet: true}",
                "ingest: {sources: [a.mp4, b.mp4], session: s1, camera: top, paced: true, queue: 100}", "")));
        assertEquals(6, config.kafka().partitions());
        assertEquals((short) 3, config.kafka().replicationFactor());
        assertEquals(400, config.segmentationSettings().maxArea());
        assertEquals(2.5, config.warmUp().seconds());
        assertEquals(900, config.identifierWindowFrames());
        assertEquals(16, config.identifier().batchCrops());
        assertEquals(Duration.ofNanos(500_000), config.identifierMaxDelay());
        assertEquals(Path.of("/tmp/store"), config.trainer().store());
        assertEquals(TrainingMethod.CONTRASTIVE, config.trainer().method());
        assertTrue(config.writer().parquet());
        assertEquals(List.of("a.mp4", "b.mp4"), config.ingest().sources());
        assertTrue(config.ingest().paced());
        assertEquals(100, config.ingest().queue());
        assertTrue(!config.learns(), "crop size 0: nothing is learnt");
    }

    @Test
    void anUnknownFieldIsOneLineNamingTheFileTheFieldAndTheKnownOnes() throws IOException {
        Path file = config("animals: 5\nkafka: {partitions: 3, replicas: 3}\n");
        String[] result = serve("segmenter", file);
        assertEquals("2", result[0]);
        assertEquals(1, result[1].lines().count(), result[1]);
        assertTrue(result[1].contains(file.toString()) && result[1].contains("'kafka.replicas'")
                && result[1].contains("replication_factor"), result[1]);
    }

    @Test
    void aValueOfTheWrongTypeNamesItsField() throws IOException {
        String[] result = serve("identifier", config("animals: five\n"));
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("field 'animals'"), result[1]);
    }

    @Test
    void anUnknownTrainingMethodNamesItsFieldAndTheMethods() throws IOException {
        String[] result = serve("trainer", config("animals: 5\ntrainer: {method: fancy}\n"));
        assertEquals("2", result[0]);
        assertEquals(1, result[1].lines().count(), result[1]);
        assertTrue(result[1].contains("field 'trainer.method'") && result[1].contains("CONTRASTIVE"), result[1]);
    }

    @Test
    void anOutOfRangeValueNamesItsFieldAndTheFix() throws IOException {
        String[] partitions = serve("writer", config("animals: 5\nkafka: {partitions: 0}\n"));
        assertEquals("2", partitions[0]);
        assertTrue(partitions[1].contains("kafka.partitions is 0; give 1 or more"), partitions[1]);
        String[] batch = serve("identifier", config("animals: 5\nidentifier: {batch_crops: 0}\n"));
        assertEquals("2", batch[0]);
        assertTrue(batch[1].contains("identifier.batch_crops is 0; give 1 or more crops"), batch[1]);
        String[] crop = serve("trainer", config("animals: 5\nsegmentation: {crop_size: 4}\n"));
        assertEquals("2", crop[0]);
        assertTrue(crop[1].contains("segmentation.crop_size is 4"), crop[1]);
        String[] animals = serve("segmenter", config("kafka: {partitions: 2}\n"));
        assertEquals("2", animals[0]);
        assertTrue(animals[1].contains("animals is null; give the number of animals"), animals[1]);
    }

    @Test
    void aMissingFileOrBrokenYamlIsBadInput() throws IOException {
        String[] missing = serve("segmenter", dir.resolve("absent.yaml"));
        assertEquals("2", missing[0]);
        assertTrue(missing[1].contains("absent.yaml: cannot read the config file"), missing[1]);
        String[] broken = serve("segmenter", config("animals: 5: 6\n"));
        assertEquals("2", broken[0]);
        assertTrue(broken[1].contains("not valid YAML"), broken[1]);
    }

    @Test
    void anUnreachableClusterIsBadInputOnceTheConfigIsGood() throws IOException {
        String[] result = serve("segmenter", config("animals: 5\n"));
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("--bootstrap localhost:1"), result[1]);
    }

    @Test
    void ingestWithoutAnySourceSaysWhereToGiveOne() throws IOException {
        String[] result = serve("ingest", config("animals: 5\n"));
        assertEquals("2", result[0]);
        assertTrue(result[1].contains("no source: give SOURCE... or ingest.sources"), result[1]);
    }
}
