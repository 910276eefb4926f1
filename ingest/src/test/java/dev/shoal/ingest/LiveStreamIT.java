package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live MPEG-TS stream over UDP, sent by the ffmpeg command-line tool at its real rate ({@code -re}),
 * ingested and published as it arrives; the sender stops and starts again, so the source must reconnect.
 */
class LiveStreamIT {

    @TempDir
    Path temp;

    @Test
    void udpStreamArrivesWholeAndInOrder_andIsPickedUpAgainAfterADrop() throws Exception {
        Assumptions.assumeTrue(onPath("ffmpeg"), "the ffmpeg command is not installed (Debian package ffmpeg)");
        Path first = IndexedVideo.write(temp.resolve("first.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 30, 30);
        Path second = IndexedVideo.write(temp.resolve("second.mkv"), IndexedVideo.Codec.FFV1_MKV, 100, 30, 30);
        int port;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            port = probe.getLocalPort();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SourceOptions options = SourceOptions.defaults().withTimeout(Duration.ofSeconds(1))
                .withReconnects(2, Duration.ofMillis(100), Duration.ofMillis(400));
        String url = "udp://127.0.0.1:" + port;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            CompletableFuture<Exception> outcome = CompletableFuture.supplyAsync(() -> {
                try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(settings.producer("live"),
                        new StringSerializer(), Serdes.FRAME.serializer());
                     FrameSource source = FrameSources.open(url, options, registry)) {
                    // FFmpeg hands over the frames it buffered while probing the stream in one burst: room for them.
                    new FramePublisher(producer, "udp", "cam0", registry, 64).publishAll(source);
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            awaitBound(port);
            send(first, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (registry.get("shoal.ingest.reconnects").counter().count() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            awaitBound(port);
            send(second, port);
            Exception end = outcome.get(60, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, end, "a stream gone for good ends the run with an error");
            assertTrue(end.getMessage().contains(url + ": stream lost after frame"), end.getMessage());

            List<Frame> frames = RecordedFrames.of(settings, "udp");
            List<Integer> shown = frames.stream()
                    .map(f -> IndexedVideo.indexOf(f.getPixels().toByteArray(), f.getWidth())).toList();
            assertEquals(0, registry.get("shoal.ingest.frames.dropped").counter().count(), "publishing kept up");
            List<Integer> beforeDrop = shown.stream().filter(i -> i < 100).toList();
            List<Integer> afterDrop = shown.stream().filter(i -> i >= 100).toList();
            assertEquals(java.util.stream.IntStream.range(0, 30).boxed().toList(), beforeDrop,
                    "every frame of the first run, in order");
            assertTrue(!afterDrop.isEmpty() && afterDrop.get(afterDrop.size() - 1) == 129, "second run: " + afterDrop);
            for (int i = 1; i < afterDrop.size(); i++) {
                assertEquals(afterDrop.get(i - 1) + 1, afterDrop.get(i), "second run in order: " + afterDrop);
            }
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(i, frames.get(i).getIndex(), "index continues across the reconnect");
                assertTrue(i == 0 || frames.get(i).getMediaTimeS() > frames.get(i - 1).getMediaTimeS());
            }
            assertTrue(registry.get("shoal.ingest.reconnects").counter().count() >= 1);
        }
    }

    /** Waits until FFmpeg has bound the UDP port, so the sender's first packets are not lost. */
    private static void awaitBound(int port) throws Exception {
        String hexPort = String.format(Locale.ROOT, ":%04X ", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.readAllLines(Path.of("/proc/net/udp")).stream().anyMatch(l -> l.contains(hexPort))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("nothing bound UDP port " + port);
    }

    private static void send(Path video, int port) throws Exception {
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-i",
                video.toString(), "-c:v", "mpeg2video", "-q:v", "2", "-bf", "0", "-g", "10", "-f", "mpegts",
                "udp://127.0.0.1:" + port + "?pkt_size=1316")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(ffmpeg.waitFor(30, TimeUnit.SECONDS), "ffmpeg sender finished");
        assertEquals(0, ffmpeg.exitValue());
    }

    private static boolean onPath(String command) {
        try {
            return new ProcessBuilder(command, "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
