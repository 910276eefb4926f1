package dev.shoal.identifier;

import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.IdentityCorrection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one session's {@code shoal.tracks.v1} and writes its trajectories.csv; completes
 * {@link #result()} when the files are in place.
 *
 * <p>Provisional (no trainer runs): rows are written as they come and the file is complete at the
 * session's last frame. Model-based: tracks are held in a {@link TrajectoryTable}, a second consumer
 * on its own thread reads {@code shoal.identity-corrections.v1}, and once both the last frame and the
 * corrections' end marker are in, the corrections are applied, the trajectories repaired by a
 * {@link TrajectoryPostProcessor} (duplicates, impossible jumps, gaps, animals inside crossings), and
 * trajectories.csv plus the wide CSV ({@code trajectories_wide.csv}) written. When neither a frame nor a
 * correction (end marker included) it received carried a model (model version 0 throughout: identities
 * are fragment ids) and it knows N, the fragments are first stitched into at most N identities by
 * motion ({@link FragmentStitcher}).
 *
 * <p>On request, {@code trajectories.parquet} too ({@link TrajectoryParquetWriter}), from the same rows as
 * trajectories.csv. It is renamed into place before trajectories.csv, so a trajectories.csv in place means
 * the whole set is.
 */
public final class TrajectoryWriterService extends ConsumingService<FrameTracks> {

    private static final Logger LOG = LoggerFactory.getLogger(TrajectoryWriterService.class);

    /** A session's writer's consumer group, by default: this plus the session. */
    public static final String GROUP_PREFIX = "shoal-trajectories-";

    /** Longest run of missing frames an identity's position is interpolated over by default. */
    public static final int DEFAULT_MAX_GAP_FRAMES = 60;

    private final String session;
    private final Path csv;
    private final TrajectoryStats stats = new TrajectoryStats();
    private final CompletableFuture<TrajectoryStats> result = new CompletableFuture<>();
    private final TrajectoryCsvWriter streaming;
    private final TrajectoryParquetWriter streamingParquet;
    private final boolean parquet;
    private final TrajectoryTable table;
    private final int maxGapFrames;
    private final int animals;
    private final Thread correctionsThread;
    private final Consumer<String, IdentityCorrection> corrections;
    private volatile boolean correctionsRunning = true;
    private boolean lastFrameSeen;
    private boolean endMarkerSeen;
    private final List<IdentityCorrection> pendingCorrections = new ArrayList<>();
    private long correctionsApplied;
    private TrajectoryPostProcessor.Repairs repairs;
    private boolean modelSeen;
    private FragmentStitcher.Result stitched;

    /** A provisional writer: finishes at the session's last frame. */
    public TrajectoryWriterService(KafkaSettings settings, String session, Map<TopicPartition, Long> startOffsets,
                                   Path csv) throws IOException {
        this(settings, GROUP_PREFIX + session, session, startOffsets, csv, false);
    }

    /**
     * A provisional writer in consumer group {@code group}.
     *
     * @param parquet also write {@link #parquetBeside(Path) trajectories.parquet}
     */
    public TrajectoryWriterService(KafkaSettings settings, String group, String session,
                                   Map<TopicPartition, Long> startOffsets, Path csv, boolean parquet)
            throws IOException {
        super(settings, group, "trajectory-writer", Topics.TRACKS,
                Serdes.FRAME_TRACKS.deserializer(), startOffsets);
        this.session = session;
        this.csv = csv;
        this.parquet = parquet;
        this.streamingParquet = parquet ? new TrajectoryParquetWriter(parquetBeside(csv)) : null;
        TrajectoryCsvWriter opened;
        try {
            opened = new TrajectoryCsvWriter(csv);
        } catch (IOException | RuntimeException e) {
            if (streamingParquet != null) {
                streamingParquet.close();
            }
            throw e;
        }
        this.streaming = opened;
        this.table = null;
        this.maxGapFrames = 0;
        this.animals = 0;
        this.corrections = null;
        this.correctionsThread = null;
    }

    /**
     * A model-based writer: applies identity corrections and finishes only after their end marker.
     *
     * @param startOffsets also where the corrections topic's partitions start (absent: the beginning)
     * @param maxGapFrames longest run of missing frames to interpolate an identity over (animals inside
     *                     crossings throughout are bridged up to 2 s, see {@link TrajectoryPostProcessor})
     */
    public TrajectoryWriterService(KafkaSettings settings, String session, Map<TopicPartition, Long> startOffsets,
                                   Path csv, int maxGapFrames) {
        this(settings, GROUP_PREFIX + session, session, startOffsets, csv, maxGapFrames, false);
    }

    /**
     * A model-based writer in consumer group {@code group} (its corrections reader: the group plus "-corrections").
     *
     * @param parquet also write {@link #parquetBeside(Path) trajectories.parquet}
     */
    public TrajectoryWriterService(KafkaSettings settings, String group, String session,
                                   Map<TopicPartition, Long> startOffsets, Path csv, int maxGapFrames,
                                   boolean parquet) {
        this(settings, group, session, startOffsets, csv, maxGapFrames, parquet, 0);
    }

    /**
     * A model-based writer that, for a session no model ever reached, stitches the fragments into
     * {@code animals} identities by motion ({@link FragmentStitcher}) before repairing them.
     *
     * @param animals N; 0 when unknown (fragments are then not stitched)
     */
    public TrajectoryWriterService(KafkaSettings settings, String group, String session,
                                   Map<TopicPartition, Long> startOffsets, Path csv, int maxGapFrames,
                                   boolean parquet, int animals) {
        super(settings, group, "trajectory-writer", Topics.TRACKS, Serdes.FRAME_TRACKS.deserializer(), startOffsets);
        this.session = session;
        this.csv = csv;
        this.parquet = parquet;
        this.streaming = null;
        this.streamingParquet = null;
        this.table = new TrajectoryTable();
        this.maxGapFrames = maxGapFrames;
        this.animals = animals;
        this.corrections = new KafkaConsumer<>(settings.consumer(group + "-corrections",
                "trajectory-writer-corrections"), new StringDeserializer(), Serdes.IDENTITY_CORRECTION.deserializer());
        this.correctionsThread = new Thread(() -> readCorrections(startOffsets), "shoal-corrections-" + session);
        this.correctionsThread.setDaemon(true);
        this.correctionsThread.start();
    }

    /** The wide CSV beside {@code trajectories.csv}: {@code trajectories_wide.csv}. */
    public static Path wideCsv(Path csv) {
        String name = csv.getFileName().toString();
        String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        return csv.resolveSibling(stem + "_wide.csv");
    }

    /** The Parquet copy beside {@code trajectories.csv}: {@code trajectories.parquet}. */
    public static Path parquetBeside(Path csv) {
        String name = csv.getFileName().toString();
        String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        return csv.resolveSibling(stem + ".parquet");
    }

    private void readCorrections(Map<TopicPartition, Long> startOffsets) {
        try {
            List<TopicPartition> partitions = corrections.partitionsFor(Topics.IDENTITY_CORRECTIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            corrections.assign(partitions);
            for (TopicPartition partition : partitions) {
                Long start = startOffsets.get(partition);
                if (start == null) {
                    corrections.seekToBeginning(List.of(partition));
                } else {
                    corrections.seek(partition, start);
                }
            }
            while (correctionsRunning) {
                for (ConsumerRecord<String, IdentityCorrection> record : corrections.poll(Duration.ofMillis(200))) {
                    IdentityCorrection correction = record.value();
                    if (correction != null && session.equals(correction.getSession())) {
                        onCorrection(correction);
                    }
                }
            }
        } catch (WakeupException e) {
            if (correctionsRunning) {
                result.completeExceptionally(e);
            }
        } catch (Throwable e) {
            result.completeExceptionally(e);
        } finally {
            corrections.close(Duration.ofSeconds(5));
        }
    }

    private synchronized void onCorrection(IdentityCorrection correction) throws IOException {
        if (result.isDone() || endMarkerSeen) {
            return;
        }
        // A model that came only after the last frame still names identities, through corrections.
        modelSeen |= correction.getModelVersion() > 0;
        if (correction.getLast()) {
            endMarkerSeen = true;
            finishIfComplete();
        } else {
            // Held until the end: the corrections topic can run ahead of the tracks they revise.
            pendingCorrections.add(correction);
        }
    }

    @Override
    protected synchronized void handle(ConsumerRecord<String, FrameTracks> record) throws IOException {
        FrameTracks tracks = record.value();
        if (!session.equals(tracks.getSession()) || result.isDone() || lastFrameSeen) {
            return;
        }
        stats.add(tracks, System.nanoTime() - tracks.getCaptureTimeNs());
        if (streaming != null) {
            streaming.write(tracks);
            if (streamingParquet != null) {
                streamingParquet.write(tracks);
            }
            if (tracks.getLast()) {
                if (streamingParquet != null) {
                    streamingParquet.commit();
                }
                streaming.commit();
                result.complete(stats);
            }
            return;
        }
        modelSeen |= tracks.getModelVersion() > 0;
        table.add(tracks);
        if (tracks.getLast()) {
            lastFrameSeen = true;
            finishIfComplete();
        }
    }

    private void finishIfComplete() throws IOException {
        if (lastFrameSeen && endMarkerSeen && !result.isDone()) {
            pendingCorrections.forEach(table::apply);
            correctionsApplied = pendingCorrections.size();
            List<TrajectoryTable.Row> identified = table.rows();
            if (!modelSeen && animals > 0) {
                stitched = new FragmentStitcher(FragmentStitcher.Options.defaults(animals)).stitch(identified);
                LOG.info("session {}: no model; {} of {} fragments stitched into {} identities by motion"
                        + " (speed limit {} px/frame)", session, stitched.fragmentsPlaced(), stitched.fragments(),
                        stitched.identities(), stitched.speedLimit());
                identified = stitched.rows();
            }
            TrajectoryPostProcessor.Result processed = new TrajectoryPostProcessor(
                    TrajectoryPostProcessor.Options.defaults(maxGapFrames)).process(identified);
            repairs = processed.repairs();
            LOG.info("session {}: trajectories repaired: {}", session, repairs);
            List<TrajectoryTable.Row> rows = processed.rows();
            if (parquet) {
                TrajectoryTable.writeParquet(rows, parquetBeside(csv));
            }
            TrajectoryTable.writeWide(rows, wideCsv(csv));
            TrajectoryTable.writeLong(rows, csv);
            result.complete(stats);
        }
    }

    @Override
    protected void closeOutputs() {
        try {
            if (streaming != null) {
                try {
                    streaming.close();
                } finally {
                    if (streamingParquet != null) {
                        streamingParquet.close();
                    }
                }
            } else {
                correctionsRunning = false;
                corrections.wakeup();
                correctionsThread.join(10_000);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            result.completeExceptionally(new IllegalStateException(
                    "trajectory writer for session " + session + " stopped before the last frame"
                            + (table == null ? "" : " and the corrections' end marker")));
        }
    }

    /** Completes with the stats once the files are complete. */
    public CompletableFuture<TrajectoryStats> result() {
        return result;
    }

    /** Frames received so far. */
    public long framesWritten() {
        return stats.frames();
    }

    /** Share of the animal-frames received so far that a model identified (before corrections). */
    public double identifiedShare(int animals) {
        return stats.identifiedShare(animals);
    }

    /** Identity corrections applied to the written files (model-based writer). */
    public synchronized long correctionsApplied() {
        return correctionsApplied;
    }

    /**
     * How the fragments were stitched into identities by motion (model-based writer, once the files are
     * written, when no model reached it; else null).
     */
    public synchronized FragmentStitcher.Result stitched() {
        return stitched;
    }

    /** What the post-processing repaired (model-based writer, once the files are written; else null). */
    public synchronized TrajectoryPostProcessor.Repairs repairs() {
        return repairs;
    }
}
