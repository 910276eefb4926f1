package dev.shoal.identifier;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.IdentityCorrection;
import dev.shoal.core.proto.Track;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A session's tracks held until the end, so identity corrections can revise the past and the
 * trajectories can be repaired where both sides of a fault are known ({@link TrajectoryPostProcessor}:
 * duplicated identities, impossible jumps, gaps, animals inside crossings). Pure: no Kafka.
 */
public final class TrajectoryTable {

    /** One track in one frame. */
    public record Row(long frame, double timeS, Track track) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<Long, List<Integer>> rowsOfFragment = new HashMap<>();

    /** Adds the frame's tracks. */
    public void add(FrameTracks frame) {
        for (Track t : frame.getTracksList()) {
            rowsOfFragment.computeIfAbsent(t.getFragment(), f -> new ArrayList<>()).add(rows.size());
            rows.add(new Row(frame.getIndex(), frame.getMediaTimeS(), t));
        }
    }

    /** Gives the correction's new identity to the fragment's rows within its frame span. */
    public void apply(IdentityCorrection correction) {
        for (int i : rowsOfFragment.getOrDefault(correction.getFragment(), List.of())) {
            Row row = rows.get(i);
            if (row.frame() >= correction.getFirstFrame() && row.frame() <= correction.getLastFrame()) {
                rows.set(i, new Row(row.frame(), row.timeS(),
                        row.track().toBuilder().setIdentity(correction.getNewIdentity()).build()));
            }
        }
    }

    /** The rows as added (corrections applied), in arrival order. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /**
     * The rows repaired by a {@link TrajectoryPostProcessor} (duplicated identities, impossible jumps,
     * gaps and crossings), by frame then identity.
     */
    public TrajectoryPostProcessor.Result processed(TrajectoryPostProcessor.Options options) {
        return new TrajectoryPostProcessor(options).process(rows);
    }

    /** Writes rows as {@code trajectories.csv}, atomically. */
    public static void writeLong(List<Row> rows, Path csv) throws IOException {
        try (TrajectoryCsvWriter writer = new TrajectoryCsvWriter(csv)) {
            for (Row row : rows) {
                writer.write(row.frame(), row.timeS(), row.track());
            }
            writer.commit();
        }
    }

    /** Writes rows as {@code trajectories.parquet} (see {@link TrajectoryParquetWriter}), atomically. */
    public static void writeParquet(List<Row> rows, Path parquet) throws IOException {
        try (TrajectoryParquetWriter writer = new TrajectoryParquetWriter(parquet)) {
            for (Row row : rows) {
                writer.write(row.frame(), row.timeS(), row.track());
            }
            writer.commit();
        }
    }

    /**
     * Writes the wide CSV idtracker.ai users know ({@code time,x1,y1,...,xN,yN}, one line per frame,
     * NaN where an identity is missing), atomically: N is the largest identity seen.
     */
    public static void writeWide(List<Row> rows, Path csv) throws IOException {
        int identities = (int) rows.stream().mapToLong(r -> r.track().getIdentity()).max().orElse(0);
        Path temporary = csv.resolveSibling("." + csv.getFileName() + ".tmp");
        try {
            try (BufferedWriter out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                StringBuilder header = new StringBuilder("time");
                for (int k = 1; k <= identities; k++) {
                    header.append(",x").append(k).append(",y").append(k);
                }
                out.write(header.toString());
                out.newLine();
                int i = 0;
                while (i < rows.size()) {
                    long frame = rows.get(i).frame();
                    double time = rows.get(i).timeS();
                    double[] xy = new double[2 * identities];
                    Arrays.fill(xy, Double.NaN);
                    for (; i < rows.size() && rows.get(i).frame() == frame; i++) {
                        Track t = rows.get(i).track();
                        if (t.getIdentity() > 0) {
                            xy[2 * (int) (t.getIdentity() - 1)] = t.getX();
                            xy[2 * (int) (t.getIdentity() - 1) + 1] = t.getY();
                        }
                    }
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%.6f", time));
                    for (double v : xy) {
                        line.append(',').append(Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.3f", v));
                    }
                    out.write(line.toString());
                    out.newLine();
                }
            }
            Files.move(temporary, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
