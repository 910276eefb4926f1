package dev.shoal.identifier;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a trajectory writer saw: frames, rows, animals per frame, rows a model identified, and latency
 * since capture.
 */
public final class TrajectoryStats {

    private final Map<Integer, Long> framesByTrackCount = new TreeMap<>();
    private long[] latencyNanos = new long[1024];
    private volatile long frames;
    private long rows;
    private volatile long identifiedRows;

    /** Tracks of the frame that a model gave an identity (not provisional, not identity 0). */
    public static int identified(FrameTracks tracks) {
        if (tracks.getModelVersion() <= 0) {
            return 0;
        }
        int given = 0;
        for (Track track : tracks.getTracksList()) {
            if (track.getIdentity() > 0) {
                given++;
            }
        }
        return given;
    }

    void add(FrameTracks tracks, long latencyNs) {
        add(tracks.getTracksCount(), latencyNs);
        identifiedRows += identified(tracks);
    }

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

    /**
     * Share of the animal-frames seen so far that a model identified, as the writer received them (before
     * corrections and repairs).
     */
    public double identifiedShare(int animals) {
        long n = frames;
        return n == 0 || animals < 1 ? 0 : Math.min(1, identifiedRows / (n * (double) animals));
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
