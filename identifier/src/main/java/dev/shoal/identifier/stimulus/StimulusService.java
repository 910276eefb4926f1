package dev.shoal.identifier.stimulus;

import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.StimulusCommand;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The closed loop on Kafka: reads every session's tracks, runs the rules of a {@link StimulusConfig}
 * (fresh state per session) and publishes each firing on {@link Topics#STIMULUS}, after sending it as
 * an OSC datagram first when the config names a receiver, since that is the path the experiment waits on.
 * A failed OSC send is logged and counted in {@code shoal.stimulus.osc.errors}; the Kafka record still goes out.
 */
public final class StimulusService extends ConsumingService<FrameTracks> {

    public static final String GROUP = "shoal-stimulus";
    public static final String OSC_ERRORS_COUNTER = "shoal.stimulus.osc.errors";

    private static final Logger LOG = LoggerFactory.getLogger(StimulusService.class);

    private final StimulusConfig config;
    private final MeterRegistry registry;
    private final Producer<String, StimulusCommand> producer;
    private final OscStimulusSender osc;
    private final Counter oscErrors;
    private final Map<String, StimulusDispatcher> sessions = new HashMap<>();

    /** @param group and startOffsets as for {@link ConsumingService} */
    public StimulusService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets,
                           StimulusConfig config, MeterRegistry registry) {
        super(settings, group, "stimulus", Topics.TRACKS, Serdes.FRAME_TRACKS.deserializer(), startOffsets);
        this.config = config;
        this.registry = registry;
        this.osc = config.oscTarget().map(OscStimulusSender::new).orElse(null);
        this.oscErrors = registry.counter(OSC_ERRORS_COUNTER);
        this.producer = new KafkaProducer<>(settings.producer("stimulus"), new StringSerializer(),
                Serdes.STIMULUS_COMMAND.serializer());
    }

    @Override
    protected void handle(ConsumerRecord<String, FrameTracks> record) {
        FrameTracks frame = record.value();
        StimulusDispatcher dispatcher = sessions.computeIfAbsent(frame.getSession(),
                session -> new StimulusDispatcher(config.newRules(), registry, System::nanoTime));
        List<StimulusCommand> commands = dispatcher.decide(frame);
        for (StimulusCommand command : commands) {
            if (osc != null) {
                sendOsc(command);
            }
            producer.send(new ProducerRecord<>(Topics.STIMULUS, record.key(), command));
        }
        if (frame.getLast()) {
            sessions.remove(frame.getSession());
            producer.flush();
        }
    }

    private void sendOsc(StimulusCommand command) {
        try {
            osc.send(command);
        } catch (IOException e) {
            oscErrors.increment();
            LOG.warn("OSC datagram for rule {} frame {} to {} failed: {}", command.getRule(), command.getFrame(),
                    osc.target(), e.toString());
        }
    }

    @Override
    protected void closeOutputs() {
        try {
            producer.close();
        } finally {
            if (osc != null) {
                try {
                    osc.close();
                } catch (IOException e) {
                    LOG.warn("closing the OSC socket: {}", e.toString());
                }
            }
        }
    }
}
