package dev.shoal.ingest.arena;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.AnimalTruth;
import dev.shoal.core.proto.FrameTruth;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes an arena source's ground truth on {@code shoal.truth.v1}, keyed by the frames' session. */
public final class ArenaTruthPublisher implements ArenaSource.TruthListener, AutoCloseable {

    private final KafkaProducer<String, FrameTruth> producer;
    private final String session;

    public ArenaTruthPublisher(KafkaSettings settings, String session) {
        this.producer = new KafkaProducer<>(settings.producer("arena-truth"), new StringSerializer(),
                Serdes.FRAME_TRUTH.serializer());
        this.session = session;
    }

    @Override
    public void truth(long index, long captureTimeNs, List<TruthRow> truth) {
        FrameTruth.Builder record = FrameTruth.newBuilder().setSession(session).setIndex(index)
                .setCaptureTimeNs(captureTimeNs);
        for (TruthRow row : truth) {
            record.addAnimals(AnimalTruth.newBuilder().setIdentity(row.identity()).setX(row.x()).setY(row.y())
                    .setAngle(row.angle()).setTouching(row.touching()));
        }
        producer.send(new ProducerRecord<>(Topics.TRUTH, session, record.build()));
    }

    @Override
    public void close() {
        producer.close();
    }
}
