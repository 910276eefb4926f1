package dev.shoal.identifier;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Measures (not a test) the time to write the same trajectory rows as {@code trajectories.csv}
 * ({@link TrajectoryTable#writeLong}, the baseline) and as {@code trajectories.parquet}
 * ({@link TrajectoryTable#writeParquet}), and the two files' sizes. The rows are synthetic: N identities
 * over F frames at 30 fps, each a random walk in a 1024 px arena, a new fragment every 300 frames, one
 * row in 50 interpolated. The two writers alternate, after two warm-up rounds, so a shared machine's
 * load falls on both alike; the median and the fastest round are printed.
 *
 * <p>Arguments: identities (10), frames (18000), rounds (7), output directory (a temporary one).
 */
public final class TrajectoryOutputBenchmark {

    private TrajectoryOutputBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int identities = Integer.parseInt(args.length > 0 ? args[0] : "10");
        int frames = Integer.parseInt(args.length > 1 ? args[1] : "18000");
        int rounds = Integer.parseInt(args.length > 2 ? args[2] : "7");
        Path dir = args.length > 3 ? Files.createDirectories(Path.of(args[3]))
                : Files.createTempDirectory("shoal-output-bench");
        List<TrajectoryTable.Row> rows = rows(identities, frames, new Random(1));
        Path csv = dir.resolve("trajectories.csv");
        Path parquet = dir.resolve("trajectories.parquet");
        System.out.printf(Locale.ROOT, "%d identities x %d frames = %d rows; load average at start: %s%n",
                identities, frames, rows.size(), loadAverage());
        for (int i = 0; i < 2; i++) {
            TrajectoryTable.writeLong(rows, csv);
            TrajectoryTable.writeParquet(rows, parquet);
        }
        double[] csvMs = new double[rounds];
        double[] parquetMs = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            TrajectoryTable.writeLong(rows, csv);
            csvMs[i] = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            TrajectoryTable.writeParquet(rows, parquet);
            parquetMs[i] = (System.nanoTime() - start) / 1e6;
        }
        report("trajectories.csv (baseline)", csvMs, Files.size(csv));
        report("trajectories.parquet (GZIP)", parquetMs, Files.size(parquet));
        System.out.printf(Locale.ROOT, "load average at end: %s; files in %s%n", loadAverage(), dir);
    }

    private static List<TrajectoryTable.Row> rows(int identities, int frames, Random random) {
        TrajectoryTable table = new TrajectoryTable();
        double[] x = new double[identities];
        double[] y = new double[identities];
        double[] heading = new double[identities];
        for (int k = 0; k < identities; k++) {
            x[k] = 100 + random.nextDouble() * 824;
            y[k] = 100 + random.nextDouble() * 824;
            heading[k] = random.nextDouble() * 2 * Math.PI;
        }
        for (int f = 0; f < frames; f++) {
            FrameTracks.Builder frame = FrameTracks.newBuilder().setIndex(f).setMediaTimeS(f / 30.0);
            for (int k = 0; k < identities; k++) {
                heading[k] += random.nextGaussian() * 0.2;
                x[k] = Math.min(1023, Math.max(0, x[k] + 2 * Math.cos(heading[k])));
                y[k] = Math.min(1023, Math.max(0, y[k] + 2 * Math.sin(heading[k])));
                frame.addTracks(Track.newBuilder().setIdentity(k + 1).setX(x[k]).setY(y[k])
                        .setAngle(Math.IEEEremainder(heading[k], Math.PI)).setConfidence(0.9 + 0.1 * random.nextDouble())
                        .setFragment((long) (f / 300) * identities + k).setInterpolated(random.nextInt(50) == 0));
            }
            table.add(frame.build());
        }
        return table.rows();
    }

    private static void report(String what, double[] ms, long bytes) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-30s median %7.1f ms, fastest %7.1f ms, %,d bytes%n", what,
                sorted[sorted.length / 2], sorted[0], bytes);
    }

    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return String.join(" ", Arrays.copyOf(fields, 3));
    }
}
