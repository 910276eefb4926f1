package dev.shoal.core.kafka;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicAdminTest {

    @Test
    void namesTheBootstrapAndTheFixWhenNoBrokerAnswers() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> TopicAdmin.requireReachable(KafkaSettings.of("localhost:1"), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("--bootstrap localhost:1: "), e.getMessage());
        assertTrue(e.getMessage().contains("kafka-standalone.sh"), e.getMessage());
    }

    @Test
    void refusesAnAddressThatIsNotHostAndPort() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> TopicAdmin.requireReachable(KafkaSettings.of("not an address"), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("--bootstrap not an address"), e.getMessage());
    }
}
