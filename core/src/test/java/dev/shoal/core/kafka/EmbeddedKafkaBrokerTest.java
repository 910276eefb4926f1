package dev.shoal.core.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @TempDir
    Path temp;

    @Test
    void carriesAFourMegapixelFrameThroughTheFramesTopicAndDeletesItsDirectoryOnClose() throws Exception {
        Path brokerDir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            try (var dirs = Files.list(temp)) {
                brokerDir = dirs.findFirst().orElseThrow();
            }
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.requireReachable(settings, Duration.ofSeconds(10));
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));

            byte[] pixels = new byte[2048 * 2048];
            new Random(7).nextBytes(pixels);
            Frame frame = Frame.newBuilder().setSession("s1").setIndex(42).setWidth(2048).setHeight(2048)
                    .setPixels(ByteString.copyFrom(pixels)).setLast(true).build();
            try (var producer = new KafkaProducer<>(settings.producer("test"), new StringSerializer(),
                    Serdes.FRAME.serializer())) {
                producer.send(new ProducerRecord<>(Topics.FRAMES, "s1", frame)).get();
            }
            try (var consumer = new KafkaConsumer<>(settings.consumer("g", "test"), new StringDeserializer(),
                    Serdes.FRAME.deserializer())) {
                consumer.subscribe(List.of(Topics.FRAMES));
                ConsumerRecord<String, Frame> received = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received == null && System.nanoTime() < deadline) {
                    for (var record : consumer.poll(Duration.ofMillis(200))) {
                        received = record;
                    }
                }
                assertTrue(received != null, "the frame came back");
                assertEquals("s1", received.key());
                assertEquals(42, received.value().getIndex());
                assertArrayEquals(pixels, received.value().getPixels().toByteArray());
            }
            try (Admin admin = Admin.create(settings.admin())) {
                ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, Topics.MODELS);
                Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(models)).all().get();
                assertEquals("compact", configs.get(models).get("cleanup.policy").value());
            }
            assertTrue(Files.isDirectory(brokerDir));
        }
        assertFalse(Files.exists(brokerDir), "broker directory deleted on close");
    }
}
