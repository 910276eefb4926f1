package dev.shoal.identifier;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** What a trajectory writer saw: frames, rows, animals per frame, and latency since capture. */
public final class TrajectoryStats {

    private final Map<Integer, Long> framesByTrackCount = new TreeMap<>();
    private long[] latencyNanos = new long[1024];
    private volatile long frames;
    private long rows;

    void add(int tracks, long latencyNs) {
        framesByTrackCount.merge(tracks, 1L, Long::sum);
        if (frames == latencyNanos.length) {
            latencyNanos = Arrays.copyOf(latencyNanos, latencyNanos.length * 2);
        }
        latencyNanos[(int) frames] = latencyNs;
        frames++;
        rows += tracks;
    }

    public long frames() {
        return frames;
    }

    public long rows() {
        return rows;
    }

    /** Number of frames with each count of tracks. */
    public Map<Integer, Long> framesByTrackCount() {
        return Map.copyOf(framesByTrackCount);
    }

    public double meanTracksPerFrame() {
        return frames == 0 ? 0 : (double) rows / frames;
    }

    /** Fraction of frames with exactly {@code animals} tracks. */
    public double fractionWithExactly(int animals) {
        return frames == 0 ? 0 : framesByTrackCount.getOrDefault(animals, 0L) / (double) frames;
    }

    /** Latency from capture to written, in milliseconds, at quantile {@code q} in [0, 1]. */
    public double latencyMillis(double q) {
        if (frames == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(latencyNanos, (int) frames);
        Arrays.sort(sorted);
        int rank = (int) Math.min(frames - 1, Math.max(0, Math.ceil(q * frames) - 1));
        return sorted[rank] / 1e6;
    }
}
