package dev.shoal.identifier;

import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumes one session's {@code shoal.tracks.v1} and writes its trajectories.csv; completes
 * {@link #result()} when the session's last frame is written and the file is in place.
 */
public final class TrajectoryWriterService extends ConsumingService<FrameTracks> {

    private final String session;
    private final TrajectoryCsvWriter writer;
    private final TrajectoryStats stats = new TrajectoryStats();
    private final CompletableFuture<TrajectoryStats> result = new CompletableFuture<>();

    public TrajectoryWriterService(KafkaSettings settings, String session, Map<TopicPartition, Long> startOffsets,
                                   Path csv) throws IOException {
        super(settings, "shoal-trajectories-" + session, "trajectory-writer", Topics.TRACKS,
                Serdes.FRAME_TRACKS.deserializer(), startOffsets);
        this.session = session;
        this.writer = new TrajectoryCsvWriter(csv);
    }

    @Override
    protected void handle(ConsumerRecord<String, FrameTracks> record) throws IOException {
        FrameTracks tracks = record.value();
        if (!session.equals(tracks.getSession()) || result.isDone()) {
            return;
        }
        writer.write(tracks);
        stats.add(tracks.getTracksCount(), System.nanoTime() - tracks.getCaptureTimeNs());
        if (tracks.getLast()) {
            writer.commit();
            result.complete(stats);
        }
    }

    @Override
    protected void closeOutputs() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            result.completeExceptionally(new IllegalStateException(
                    "trajectory writer for session " + session + " stopped before the last frame"));
        }
    }

    /** Completes with the stats once the file is complete. */
    public CompletableFuture<TrajectoryStats> result() {
        return result;
    }

    /** Frames written so far. */
    public long framesWritten() {
        return stats.frames();
    }
}
