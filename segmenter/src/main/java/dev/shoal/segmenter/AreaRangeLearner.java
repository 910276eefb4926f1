package dev.shoal.segmenter;

import java.util.Arrays;
import java.util.List;

/**
 * Learns the single-animal blob area from frames in which exactly N blobs are seen: then every blob
 * is most likely one animal. The range is the median area plus or minus a robust spread (1.4826 x
 * the median absolute deviation), widened to at least a quarter of the median on each side so
 * posture changes stay inside it.
 */
public final class AreaRangeLearner {

    /** A learnt range: blobs below {@code min} are noise, above {@code max} hold several animals. */
    public record AreaRange(int median, int min, int max) {
    }

    private static final double SPREADS = 4;

    private final int animals;
    private final int framesNeeded;
    private int[] areas = new int[64];
    private int count;
    private int frames;

    public AreaRangeLearner(int animals, int framesNeeded) {
        if (animals < 1) {
            throw new IllegalArgumentException("animals " + animals + " must be at least 1");
        }
        this.animals = animals;
        this.framesNeeded = framesNeeded;
    }

    /** Takes one frame's blobs into account; only frames with exactly N blobs count. */
    public void offer(List<DetectedBlob> blobs) {
        if (blobs.size() != animals) {
            return;
        }
        for (DetectedBlob blob : blobs) {
            if (count == areas.length) {
                areas = Arrays.copyOf(areas, 2 * count);
            }
            areas[count++] = blob.area();
        }
        frames++;
    }

    /** Frames with exactly N blobs seen so far. */
    public int frames() {
        return frames;
    }

    public boolean ready() {
        return frames >= framesNeeded;
    }

    /** The range from what was offered; at least one frame with N blobs is needed. */
    public AreaRange range() {
        if (count == 0) {
            throw new IllegalStateException("no frame with exactly " + animals + " blobs was seen");
        }
        int[] sorted = Arrays.copyOf(areas, count);
        Arrays.sort(sorted);
        double median = median(sorted);
        int[] deviations = new int[count];
        for (int i = 0; i < count; i++) {
            deviations[i] = (int) Math.round(Math.abs(sorted[i] - median));
        }
        Arrays.sort(deviations);
        double spread = Math.max(SPREADS * 1.4826 * median(deviations), 0.25 * median);
        int min = (int) Math.max(1, Math.floor(median - spread));
        int max = (int) Math.ceil(median + spread);
        return new AreaRange((int) Math.round(median), min, max);
    }

    private static double median(int[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
