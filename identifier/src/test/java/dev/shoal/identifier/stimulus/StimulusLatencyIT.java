package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.OSCParser;
import com.illposed.osc.OSCSerializerAndParserBuilder;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.StimulusCommand;
import dev.shoal.core.proto.Track;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten animals circling through a zone at 60 frames per second: the live service on a real broker
 * sends exactly the firings the offline dispatcher decides on the same frames, for every frame, and
 * the test prints capture-to-datagram latency percentiles (measured, never asserted).
 * {@code -Dshoal.stimulus.frames=3600} runs a minute instead of the default 5 s.
 */
class StimulusLatencyIT {

    private static final int ANIMALS = 10;
    private static final double FPS = 60;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private record Received(long atNs, OSCMessage message) {
    }

    /** Animal k circles the arena centre at its own pace; the zone lies on every animal's path. */
    private static FrameTracks frame(int index, long captureNs, boolean last) {
        FrameTracks.Builder frame = FrameTracks.newBuilder().setSession("bench").setIndex(index)
                .setCaptureTimeNs(captureNs).setMediaTimeS(index / FPS).setModelVersion(1).setLast(last);
        for (int k = 1; k <= ANIMALS; k++) {
            double revolutionsPerS = 0.5 + 0.1 * k;
            double angle = 2 * Math.PI * (revolutionsPerS * index / FPS + k / (double) ANIMALS);
            frame.addTracks(Track.newBuilder().setIdentity(k)
                    .setX(320 + 150 * Math.cos(angle)).setY(240 + 150 * Math.sin(angle)));
        }
        return frame.build();
    }

    @Test
    void liveServiceFiresLikeTheOfflineDispatcherOnEveryFrameAt60Fps() throws Exception {
        int frames = Integer.getInteger("shoal.stimulus.frames", 300);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp.resolve("kafka"));
             DatagramSocket listener = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            Path rules = temp.resolve("rules.yaml");
            Files.writeString(rules, """
                    rules:
                      - {name: east, type: zone-enter, zone: {circle: {x: 470, y: 240, radius: 40}}}
                    osc: {host: 127.0.0.1, port: %d}
                    """.formatted(listener.getLocalPort()));
            StimulusConfig config = StimulusRulesFile.read(rules, ANIMALS, 640, 480);

            StimulusDispatcher offline = new StimulusDispatcher(config.newRules(), new SimpleMeterRegistry(), () -> 0);
            List<StimulusCommand> expected = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
                expected.addAll(offline.decide(frame(i, 0, i == frames - 1)));
            }
            assertTrue(expected.size() > frames / 30, "the scene should fire often: " + expected.size());

            List<Received> received = new ArrayList<>();
            Thread receiver = new Thread(() -> receive(listener, expected.size(), received), "osc-listener");
            receiver.start();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            StimulusService service = new StimulusService(settings, StimulusService.GROUP, Map.of(), config, registry);
            Thread serviceThread = new Thread(service, "stimulus");
            serviceThread.start();
            try (var producer = new KafkaProducer<>(settings.producer("tracks"), new StringSerializer(),
                    Serdes.FRAME_TRACKS.serializer())) {
                // Warm-up: the service joins its group and the first fetch returns before frames are paced.
                producer.send(new ProducerRecord<>(Topics.TRACKS, "warm-up", frame(0, System.nanoTime(), true))).get();
                long deadline = System.nanoTime() + PATIENCE.toNanos();
                while (service.handled() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                long start = System.nanoTime();
                for (int i = 0; i < frames; i++) {
                    LockSupport.parkNanos(start + (long) (i * 1e9 / FPS) - System.nanoTime());
                    producer.send(new ProducerRecord<>(Topics.TRACKS, "bench", frame(i, System.nanoTime(), i == frames - 1)));
                }
            }
            receiver.join(PATIENCE.toMillis());
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (service.handled() < frames + 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            service.stop();
            service.awaitStopped();
            assertNull(service.failure());
            assertEquals(frames + 1, service.handled(), "every frame reached the service");

            assertEquals(expected.size(), received.size(), "datagrams");
            long[] latencies = new long[received.size()];
            for (int i = 0; i < received.size(); i++) {
                OSCMessage message = received.get(i).message();
                List<Object> args = message.getArguments();
                assertEquals("/shoal/" + expected.get(i).getRule(), message.getAddress());
                assertEquals((int) expected.get(i).getFrame(), args.get(1));
                assertEquals(expected.get(i).getIdentitiesList().stream().map(Long::intValue).toList(),
                        args.subList(5, args.size()));
                latencies[i] = received.get(i).atNs() - Long.parseLong((String) args.get(2));
            }
            Arrays.sort(latencies);
            ValueAtPercentile[] decision = registry.get(StimulusDispatcher.LATENCY_TIMER).timer().takeSnapshot()
                    .percentileValues();
            System.out.printf("stimulus at %.0f fps, %d animals, %d frames, %d firings: capture->OSC datagram"
                            + " p50 %.2f ms, p99 %.2f ms, max %.2f ms; capture->decision (timer) p50 %.2f ms, p99 %.2f ms%n",
                    FPS, ANIMALS, frames, latencies.length, percentile(latencies, 0.50) / 1e6,
                    percentile(latencies, 0.99) / 1e6, latencies[latencies.length - 1] / 1e6,
                    decision[0].value(TimeUnit.MILLISECONDS), decision[1].value(TimeUnit.MILLISECONDS));
        }
    }

    private static void receive(DatagramSocket listener, int count, List<Received> into) {
        OSCParser parser = new OSCSerializerAndParserBuilder().buildParser();
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        try {
            listener.setSoTimeout((int) PATIENCE.toMillis());
            while (into.size() < count) {
                listener.receive(packet);
                long at = System.nanoTime();
                OSCMessage message = (OSCMessage) parser.convert(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
                into.add(new Received(at, message));
            }
        } catch (SocketTimeoutException e) {
            return;
        } catch (Exception e) {
            throw new IllegalStateException("OSC listener failed", e);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    private static long percentile(long[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
