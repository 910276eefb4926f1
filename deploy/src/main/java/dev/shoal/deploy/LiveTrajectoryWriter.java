package dev.shoal.deploy;

import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.identifier.TrajectoryCsvWriter;
import dev.shoal.identifier.TrajectoryParquetWriter;
import dev.shoal.identifier.TrajectoryStats;
import dev.shoal.identifier.TrajectoryWriterService;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A live session's trajectories: each frame's tracks are appended to trajectories.csv as they come,
 * with the identities the identifier gave at the time (a live run has no end to wait for before
 * applying corrections; they stay on {@code shoal.identity-corrections.v1}), and on request the same rows to
 * trajectories.parquet. The files are renamed into place (the Parquet first) when the writer stops cleanly
 * and discarded when it fails. Also keeps what the final report
 * needs: frames, identified share, capture-to-written latency over the whole run and after warm-up.
 * A last record without tracks is the end marker of a stopped source: it ends the session but is not
 * a frame.
 */
final class LiveTrajectoryWriter extends ConsumingService<FrameTracks> {

    private final String session;
    private final int animals;
    private final long steadyFromIndex;
    private final TrajectoryCsvWriter csv;
    private final TrajectoryParquetWriter parquet;
    private final Timer latency;
    private final Timer steadyLatency;
    private volatile long frames;
    private volatile long identified;
    private volatile long modelVersion;
    private volatile long records;
    private volatile boolean ended;
    private boolean committed;

    /**
     * @param steadyFromIndex frames from this index on count in the after-warm-up latency (past the segmenter's
     *                        warm-up and its catch-up)
     * @param parquet         also write trajectories.parquet beside the CSV
     */
    LiveTrajectoryWriter(KafkaSettings settings, String session, Map<TopicPartition, Long> startOffsets, Path csvPath,
                         int animals, long steadyFromIndex, boolean parquet) throws IOException {
        super(settings, Pipeline.WRITER_GROUP_PREFIX + session, "trajectory-writer", Topics.TRACKS,
                Serdes.FRAME_TRACKS.deserializer(), startOffsets);
        this.session = session;
        this.animals = animals;
        this.steadyFromIndex = steadyFromIndex;
        this.parquet = parquet ? new TrajectoryParquetWriter(TrajectoryWriterService.parquetBeside(csvPath)) : null;
        try {
            this.csv = new TrajectoryCsvWriter(csvPath);
        } catch (IOException | RuntimeException e) {
            if (this.parquet != null) {
                this.parquet.close();
            }
            throw e;
        }
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        this.latency = wholeRunTimer(own, "whole");
        this.steadyLatency = wholeRunTimer(own, "steady");
    }

    // Percentiles over the whole run, not Micrometer's default two-minute window.
    private static Timer wholeRunTimer(SimpleMeterRegistry registry, String name) {
        return Timer.builder("live.writer.latency." + name)
                .publishPercentiles(0.5, 0.99)
                .percentilePrecision(2)
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .distributionStatisticExpiry(Duration.ofDays(3650))
                .distributionStatisticBufferLength(1)
                .register(registry);
    }

    @Override
    protected void handle(ConsumerRecord<String, FrameTracks> record) throws IOException {
        FrameTracks tracks = record.value();
        if (!session.equals(tracks.getSession())) {
            return;
        }
        if (tracks.getLast() && tracks.getTracksCount() == 0) {
            // The end marker of a stopped live source: no frame, nothing to write.
            records++;
            ended = true;
            return;
        }
        long nanos = System.nanoTime() - tracks.getCaptureTimeNs();
        latency.record(nanos, TimeUnit.NANOSECONDS);
        if (tracks.getIndex() >= steadyFromIndex) {
            steadyLatency.record(nanos, TimeUnit.NANOSECONDS);
        }
        csv.write(tracks);
        if (parquet != null) {
            parquet.write(tracks);
        }
        identified += Math.min(TrajectoryStats.identified(tracks), animals);
        modelVersion = Math.max(modelVersion, tracks.getModelVersion());
        frames++;
        records++;
        ended = tracks.getLast();
    }

    @Override
    protected void closeOutputs() {
        try {
            try {
                if (failure() == null) {
                    if (parquet != null) {
                        parquet.commit();
                    }
                    csv.commit();
                    committed = true;
                }
            } finally {
                try {
                    csv.close();
                } finally {
                    if (parquet != null) {
                        parquet.close();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish the trajectories: " + e.getMessage(), e);
        }
    }

    /** The session's records handled so far: its frames and its end marker. */
    long records() {
        return records;
    }

    /** Whether the session's last record (its last frame or a stopped source's end marker) was handled. */
    boolean ended() {
        return ended;
    }

    /** Frames written so far. */
    long frames() {
        return frames;
    }

    /** Animals given an identity by a model, over animals times frames, since the start. */
    double identifiedRatio() {
        long n = frames;
        return n == 0 ? 0 : (double) identified / (n * (double) animals);
    }

    /** The newest model version seen on a frame's tracks (0: provisional so far). */
    long modelVersion() {
        return modelVersion;
    }

    /** Whether trajectories.csv was renamed into place (after a clean stop). */
    boolean committed() {
        return committed;
    }

    /** Capture-to-written latency at {@code percentile} (0.5 or 0.99) in milliseconds, over the whole run or after warm-up. */
    double latencyMillis(double percentile, boolean steady) {
        for (ValueAtPercentile value : (steady ? steadyLatency : latency).takeSnapshot().percentileValues()) {
            if (value.percentile() == percentile) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    long steadyFrames() {
        return steadyLatency.count();
    }
}
