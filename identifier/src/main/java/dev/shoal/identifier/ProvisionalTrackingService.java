package dev.shoal.identifier;

import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Tracks before any identity model exists: each blob's identity is its fragment, so identities hold
 * while animals stay apart and restart after a crossing. Tracks carry model version 0 and confidence
 * 0 to say they are provisional.
 */
public final class ProvisionalTrackingService extends ConsumingService<FrameBlobs> {

    public static final String GROUP = "shoal-identifier";

    private final Producer<String, FrameTracks> producer;

    /** @param group and startOffsets as for {@link ConsumingService} */
    public ProvisionalTrackingService(KafkaSettings settings, String group, Map<TopicPartition, Long> startOffsets) {
        super(settings, group, "identifier", Topics.BLOBS, Serdes.FRAME_BLOBS.deserializer(), startOffsets);
        this.producer = new KafkaProducer<>(settings.producer("identifier"), new StringSerializer(),
                Serdes.FRAME_TRACKS.serializer());
    }

    @Override
    protected void handle(ConsumerRecord<String, FrameBlobs> record) {
        FrameTracks tracks = provisionalTracks(record.value());
        producer.send(new ProducerRecord<>(Topics.TRACKS, record.key(), tracks));
        if (tracks.getLast()) {
            producer.flush();
        }
    }

    /** One track per blob, identity = fragment id. */
    static FrameTracks provisionalTracks(FrameBlobs blobs) {
        FrameTracks.Builder out = FrameTracks.newBuilder()
                .setSession(blobs.getSession())
                .setIndex(blobs.getIndex())
                .setCaptureTimeNs(blobs.getCaptureTimeNs())
                .setWallTimeNs(blobs.getWallTimeNs())
                .setMediaTimeS(blobs.getMediaTimeS())
                .setLast(blobs.getLast())
                .setModelVersion(0);
        for (Blob blob : blobs.getBlobsList()) {
            out.addTracks(Track.newBuilder()
                    .setIdentity(blob.getFragment())
                    .setX(blob.getX())
                    .setY(blob.getY())
                    .setAngle(blob.getOrientation())
                    .setConfidence(0)
                    .setFragment(blob.getFragment())
                    .setInterpolated(false));
        }
        return out.build();
    }

    @Override
    protected void closeOutputs() {
        producer.close();
    }
}
