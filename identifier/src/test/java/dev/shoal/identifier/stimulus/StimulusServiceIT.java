package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.OSCSerializerAndParserBuilder;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.StimulusCommand;
import dev.shoal.core.proto.Track;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stimulus service on a real broker, sending to a real UDP socket that decodes the OSC datagram. */
class StimulusServiceIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int FRAMES = 10;
    private static final int ENTERING_FRAME = 6;

    @TempDir
    Path temp;

    @Test
    void anAnimalEnteringTheZoneSendsOneOscDatagramAndOneStimulusRecord() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp.resolve("kafka"));
             DatagramSocket listener = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) PATIENCE.toMillis());
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            Path rules = temp.resolve("rules.yaml");
            Files.writeString(rules, """
                    rules:
                      - {name: enter-left, type: zone-enter, zone: {circle: {x: 100, y: 100, radius: 30}}, identities: [2]}
                      - {name: touch, type: proximity, identities: [1, 2], distance: 5}
                    osc: {host: 127.0.0.1, port: %d}
                    """.formatted(listener.getLocalPort()));
            StimulusConfig config = StimulusRulesFile.read(rules, 2, 640, 480);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            StimulusService service = new StimulusService(settings, StimulusService.GROUP, Map.of(), config, registry);
            Thread thread = new Thread(service, "stimulus");
            thread.start();
            List<Long> captureTimes = new ArrayList<>();
            try (var producer = new KafkaProducer<>(settings.producer("tracks"), new StringSerializer(),
                    Serdes.FRAME_TRACKS.serializer())) {
                for (int i = 0; i < FRAMES; i++) {
                    // Animal 2 walks right along y = 100 and crosses into the zone at frame ENTERING_FRAME.
                    double x = i < ENTERING_FRAME ? 20 + i : 100;
                    long capture = System.nanoTime();
                    captureTimes.add(capture);
                    FrameTracks frame = FrameTracks.newBuilder().setSession("live-1").setIndex(i)
                            .setCaptureTimeNs(capture).setMediaTimeS(i / 60.0).setModelVersion(1)
                            .addTracks(Track.newBuilder().setIdentity(1).setX(400).setY(400))
                            .addTracks(Track.newBuilder().setIdentity(2).setX(x).setY(100))
                            .setLast(i == FRAMES - 1)
                            .build();
                    producer.send(new ProducerRecord<>(Topics.TRACKS, "live-1", frame)).get();
                }
            }

            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            listener.receive(packet);
            long received = System.nanoTime();
            OSCMessage message = (OSCMessage) new OSCSerializerAndParserBuilder().buildParser()
                    .convert(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));

            assertEquals("/shoal/enter-left", message.getAddress());
            List<Object> args = message.getArguments();
            assertEquals(6, args.size());
            assertEquals("live-1", args.get(0));
            assertEquals(ENTERING_FRAME, args.get(1));
            long capture = Long.parseLong((String) args.get(2));
            long decision = Long.parseLong((String) args.get(3));
            assertEquals(captureTimes.get(ENTERING_FRAME), capture);
            assertTrue(capture < decision && decision < received, "decided between capture and reception");
            assertEquals((decision - capture) / 1e6, (Float) args.get(4), 1e-3 * (decision - capture) / 1e6);
            assertEquals(2, args.get(5));

            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (service.handled() < FRAMES && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(FRAMES, service.handled());
            List<StimulusCommand> commands = readAll(settings);
            assertEquals(1, commands.size());
            StimulusCommand command = commands.get(0);
            assertEquals("enter-left", command.getRule());
            assertEquals(List.of(2L), command.getIdentitiesList());
            assertEquals(ENTERING_FRAME, command.getFrame());
            assertEquals(capture, command.getCaptureTimeNs());
            assertEquals(decision, command.getDecisionTimeNs());
            assertEquals(decision - capture, command.getLatencyNs());
            assertEquals(1, registry.get(StimulusDispatcher.LATENCY_TIMER).tag("rule", "enter-left").timer().count());
            assertEquals(0.0, registry.get(StimulusService.OSC_ERRORS_COUNTER).counter().count());

            service.stop();
            service.awaitStopped();
            thread.join();
            assertNull(service.failure());
        }
    }

    private static List<StimulusCommand> readAll(KafkaSettings settings) {
        TopicPartition partition = new TopicPartition(Topics.STIMULUS, 0);
        List<StimulusCommand> commands = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(settings.consumer("it-reader", "it-reader"), new StringDeserializer(),
                Serdes.STIMULUS_COMMAND.deserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> commands.add(record.value()));
            }
        }
        return commands;
    }
}
