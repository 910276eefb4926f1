package dev.shoal.deploy.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.deploy.bench.ShoalProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The distributed mode end to end: a 3-node KRaft cluster started by deploy/bin/kafka-cluster.sh,
 * each {@code shoal serve} service a JVM of its own, topics with 3 partitions and 3 replicas.
 *
 * <p>Run A tracks an arena session with segmenter, trainer, identifier and writer, uninterrupted.
 * Run B tracks the same arena recording under another session; its identifier is killed with
 * SIGKILL once part of the session's tracks are committed, and restarted under the same instance
 * name. Training is timing-dependent (when releases come relative to frames), so run B does not
 * train: the trainer is stopped after run A and run A's final model is published for session B.
 * Both runs' final identities then come from the same model (the identifier re-scores the whole
 * session with the final release), so run B's trajectories must equal run A's row for row: same
 * frames, none lost or twice, same positions and identities. Only the confidence column, the
 * certainty at the time a frame was first published, is left out of the comparison.
 */
class ServeClusterIT {

    private static final int FRAMES = 360;
    private static final String ARENA = "arena:animals=5,frames=" + FRAMES + ",fps=30,size=400x400,difficulty=easy,seed=3";
    private static final Duration HANG = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    /** Each instance's /metrics port. */
    private final Map<String, Integer> metricsPorts = new HashMap<>();
    /** Service and instance of each process, in the same order. */
    private final List<String[]> names = new ArrayList<>();

    @Test
    void identifierKilledMidRunAndRestartedWritesWhatAnUninterruptedRunWrites() throws Exception {
        Path clusterDir = dir.resolve("cluster");
        int base = freePortBase();
        String bootstrap = cluster("start", clusterDir, base);
        try {
            Path out = dir.resolve("out");
            Path config = dir.resolve("shoal.yaml");
            Files.writeString(config, String.join("\n",
                    "animals: 5",
                    "kafka: {partitions: 3, replication_factor: 3}",
                    "segmentation: {crop_size: 52, warm_up_seconds: 2}",
                    "trainer: {store: " + dir.resolve("trainer-store") + "}",
                    "writer: {out_dir: " + out + ", max_gap_frames: 30}",
                    // The arena is a live source: a queue that holds the whole session, so no frame is dropped.
                    "ingest: {queue: " + (FRAMES + 1) + "}", ""));
            Path launcher = ShoalProcess.writeLauncherJar(dir);
            start(launcher, "segmenter", bootstrap, config, "seg-0");
            Process identifier = start(launcher, "identifier", bootstrap, config, "id-0");
            Process trainer = start(launcher, "trainer", bootstrap, config, "train-0");
            start(launcher, "writer", bootstrap, config, "writer-0");

            Process ingestA = start(launcher, "ingest", bootstrap, config, "ingest-a", "--session", "run-a", ARENA);
            assertEquals(0, waitFor(ingestA), () -> "ingest of run A: " + tail("ingest", "ingest-a"));
            assertTrue(log("ingest", "ingest-a").contains(FRAMES + " published, 0 dropped"), tail("ingest", "ingest-a"));
            Path csvA = SessionTrajectoryWriters.csvOf(out, "run-a");
            await(() -> Files.exists(csvA), "run A's trajectories");
            // Each service's /metrics carries its own stage's figures for the session, read from its output topic.
            awaitMetric("seg-0", "shoal_frames_out_total{session=\"run-a\",stage=\"segmenter\"}", FRAMES);
            awaitMetric("seg-0", "shoal_capture_latency_seconds_count{session=\"run-a\",stage=\"segmenter\"}", FRAMES);
            awaitMetric("seg-0", "shoal_frames_in_total{session=\"all\",stage=\"segmenter\"}", FRAMES);
            awaitMetric("id-0", "shoal_frames_out_total{session=\"run-a\",stage=\"identifier\"}", FRAMES);
            awaitMetric("train-0", "shoal_model_version{session=\"run-a\",stage=\"trainer\"}", 1);
            awaitMetric("writer-0", "shoal_consumer_lag_records{partition=\"0\",session=\"all\",stage=\"writer\","
                    + "topic=\"shoal.tracks.v1\"}", 0);

            trainer.destroy();
            trainer.waitFor(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(log("trainer", "train-0").contains("serve trainer: stopped"), "the trainer stops on SIGTERM");

            KafkaSettings kafka = KafkaSettings.of(bootstrap);
            ModelRelease finalA = finalRelease(kafka, "run-a");
            assertFalse(finalA.getOnnx().isEmpty(), "run A's trainer released a model: " + finalA.getNote());
            try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(kafka.producer("test"),
                    new StringSerializer(), Serdes.MODEL_RELEASE.serializer())) {
                producer.send(new ProducerRecord<>(Topics.MODELS, "run-b", finalA.toBuilder().setSession("run-b").build()))
                        .get();
            }

            Process ingestB = start(launcher, "ingest", bootstrap, config, "ingest-b", "--session", "run-b", ARENA);
            awaitMetric("ingest-b", "shoal_frames_out_total{session=\"run-b\",stage=\"ingest\"}", 1);
            await(() -> committedTracks(kafka, "run-b") >= FRAMES / 4, "a quarter of run B's tracks");
            identifier.destroyForcibly();
            identifier.waitFor();
            names.remove(processes.indexOf(identifier));
            processes.remove(identifier);
            long atKill = committedTracks(kafka, "run-b");
            assertTrue(atKill < FRAMES, "the identifier died mid-run: " + atKill + " of " + FRAMES + " frames tracked");
            start(launcher, "identifier", bootstrap, config, "id-0");
            assertEquals(0, waitFor(ingestB), () -> "ingest of run B: " + tail("ingest", "ingest-b"));
            assertTrue(log("ingest", "ingest-b").contains(FRAMES + " published, 0 dropped"), tail("ingest", "ingest-b"));
            Path csvB = SessionTrajectoryWriters.csvOf(out, "run-b");
            await(() -> Files.exists(csvB), "run B's trajectories");

            // The live arena ends its session with an end marker, a frame without pixels: FRAMES + 1 in all.
            List<Long> tracked = trackedFrames(kafka, "run-b");
            assertEquals(FRAMES + 1, tracked.size(), "each frame's tracks committed once");
            assertEquals(FRAMES + 1, new HashSet<>(tracked).size(), "no frame's tracks committed twice");
            assertEquals(FRAMES, tracked.stream().mapToLong(Long::longValue).max().orElse(-1));
            List<String> rowsA = withoutConfidence(csvA);
            List<String> rowsB = withoutConfidence(csvB);
            Set<String> frames = new HashSet<>();
            Set<String> identities = new HashSet<>();
            for (String row : rowsA.subList(1, rowsA.size())) {
                String[] cells = row.split(",");
                frames.add(cells[0]);
                identities.add(cells[2]);
            }
            assertEquals(FRAMES, frames.size(), "run A has every frame");
            assertTrue(identities.containsAll(Set.of("1", "2", "3", "4", "5")), "identities " + identities);
            assertEquals(rowsA.size(), rowsB.size(), "rows");
            for (int i = 0; i < rowsA.size(); i++) {
                assertEquals(rowsA.get(i), rowsB.get(i), "row " + i);
            }
            assertTrue(log("identifier", "id-0").contains("session run-b: resumed at frame"),
                    "the restarted identifier resumed run B from its checkpoint");
        } finally {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            cluster("stop", clusterDir, base);
        }
    }

    /** Three client ports and their controllers' (+100) free now. */
    private static int freePortBase() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket socket = new ServerSocket(0)) {
                base = socket.getLocalPort();
            }
            if (base > 65000 - 110) {
                continue;
            }
            boolean free = true;
            for (int port : new int[] {base, base + 1, base + 2, base + 100, base + 101, base + 102}) {
                try (ServerSocket ignored = new ServerSocket(port)) {
                    // Free.
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free ports for the cluster");
    }

    private String cluster(String command, Path clusterDir, int base) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", Path.of("bin", "kafka-cluster.sh").toAbsolutePath().toString(),
                command, clusterDir.toString());
        builder.environment().put("SHOAL_KAFKA_PORT", Integer.toString(base));
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, process.waitFor(), "kafka-cluster.sh " + command);
        return stdout;
    }

    private Process start(Path launcher, String service, String bootstrap, Path config, String instance,
                          String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx1g", "-Dorg.slf4j.simpleLogger.log.dev.shoal.identifier.IdentificationService=info",
                "-jar", launcher.toString(), "serve", service, "--bootstrap", bootstrap,
                "--config", config.toString()));
        if (!service.equals("ingest")) {
            command.addAll(List.of("--instance", instance));
        }
        int port = metricsPorts.computeIfAbsent(instance, i -> freePort());
        command.addAll(List.of("--metrics-port", Integer.toString(port)));
        command.addAll(List.of(more));
        Path log = logFile(service, instance);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.add(process);
        names.add(new String[] {service, instance});
        return process;
    }

    private Path logFile(String service, String instance) {
        return dir.resolve(service + "-" + instance + ".log");
    }

    private String log(String service, String instance) throws IOException {
        return Files.readString(logFile(service, instance));
    }

    /** The last lines of a service's log, for a failure's message. */
    private String tail(String service, String instance) {
        try {
            List<String> lines = Files.readAllLines(logFile(service, instance));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private int waitFor(Process process) throws InterruptedException {
        assertTrue(process.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "process still running after " + HANG);
        return process.exitValue();
    }

    /** Waits for {@code condition}, failing if any service died first (its log says why) or it never comes. */
    private void await(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!condition.getAsBoolean()) {
            for (int i = 0; i < processes.size(); i++) {
                Process process = processes.get(i);
                if (!process.isAlive() && process.exitValue() != 0 && process.exitValue() != 143) {
                    throw new AssertionError("a service exited with " + process.exitValue() + " while waiting for "
                            + what + ":\n" + tail(names.get(i)[0], names.get(i)[1]));
                }
            }
            assertTrue(System.nanoTime() < deadline, what + " never came (hang); logs in " + dir);
            Thread.sleep(100);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until an instance's /metrics shows {@code series} at {@code atLeast} or more. */
    private void awaitMetric(String instance, String series, double atLeast) throws Exception {
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$");
        URI uri = URI.create("http://localhost:" + metricsPorts.get(instance) + "/metrics");
        await(() -> {
            try {
                String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = line.matcher(body);
                return m.find() && Double.parseDouble(m.group(1)) >= atLeast;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, instance + "'s " + series + " >= " + atLeast);
    }

    /** The session's tracks records committed on the tracks topic. */
    private static long committedTracks(KafkaSettings kafka, String session) {
        return trackedFrames(kafka, session).size();
    }

    /** The frame index of each of the session's committed tracks records, in order. */
    private static List<Long> trackedFrames(KafkaSettings kafka, String session) {
        List<Long> frames = new ArrayList<>();
        for (ConsumerRecord<String, FrameTracks> record : readAll(kafka, Topics.TRACKS, Serdes.FRAME_TRACKS.deserializer())) {
            if (session.equals(record.key())) {
                frames.add(record.value().getIndex());
            }
        }
        return frames;
    }

    private static ModelRelease finalRelease(KafkaSettings kafka, String session) {
        ModelRelease last = null;
        for (ConsumerRecord<String, ModelRelease> record : readAll(kafka, Topics.MODELS,
                Serdes.MODEL_RELEASE.deserializer())) {
            if (session.equals(record.key()) && record.value() != null) {
                last = record.value();
            }
        }
        assertTrue(last != null && last.getLast(), "run A's final release");
        return last;
    }

    private static <V> List<ConsumerRecord<String, V>> readAll(KafkaSettings kafka, String topic,
                                                             org.apache.kafka.common.serialization.Deserializer<V> values) {
        var properties = kafka.consumer("unused", "test-reader");
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The CSV's lines without the confidence column (the 7th). */
    private static List<String> withoutConfidence(Path csv) throws IOException {
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
