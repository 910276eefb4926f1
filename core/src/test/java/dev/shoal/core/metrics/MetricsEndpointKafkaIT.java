package dev.shoal.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsEndpointKafkaIT {

    private static final Pattern LAG = Pattern.compile(
            "kafka_consumer_fetch_manager_records_lag\\{[^}]*partition=\"0\"[^}]*topic=\"shoal\\.stimulus\\.v1\"[^}]*} (\\S+)");

    @TempDir
    Path temp;

    @Test
    void publishesTheConsumersLagPerTopicAndPartition() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp);
             MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, List.of(new Topics.Spec(Topics.STIMULUS, 1, Map.of())));
            try (var producer = new KafkaProducer<>(settings.producer("lag-test"), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>(Topics.STIMULUS, "s1", "r" + i)).get();
                }
            }
            Properties props = settings.consumer("lag-test", "lag-test");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2);
            try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(Topics.STIMULUS));
                int read = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (read == 0 && System.nanoTime() < deadline) {
                    read = consumer.poll(Duration.ofMillis(200)).count();
                }
                assertEquals(2, read);
                endpoint.bindKafkaConsumer(consumer, Tags.of("stage", "test"));

                String body = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + endpoint.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();

                Matcher lag = LAG.matcher(body);
                assertTrue(lag.find(), "no records-lag series for partition 0 of " + Topics.STIMULUS);
                assertEquals(3.0, Double.parseDouble(lag.group(1)));
                assertTrue(body.contains("stage=\"test\""));
            }
        }
    }
}
