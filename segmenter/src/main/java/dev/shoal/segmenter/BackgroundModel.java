package dev.shoal.segmenter;

import java.nio.ByteBuffer;

/**
 * Per-pixel median (or another percentile) of sampled frames: animals that move are in few samples,
 * so the median is the empty arena. Where animals rest in one place for most of a video, a
 * percentile on the background's side of the animals (the darkest samples behind light animals)
 * still finds the floor under them. OpenCV has no median across images; sorting the stacked samples with cv::sort took
 * 1.3-1.8 s for 60 samples of 1024x1024 here, the selection below 0.75 s.
 */
public final class BackgroundModel {

    private final int width;
    private final int height;
    private final int capacity;
    private final byte[] samples;
    private int count;

    /** @param capacity the most samples kept; later ones are ignored */
    public BackgroundModel(int width, int height, int capacity) {
        this.width = width;
        this.height = height;
        this.capacity = capacity;
        this.samples = new byte[capacity * width * height];
    }

    /** Adds one GRAY8 frame (width * height bytes, row-major); returns false when full. */
    public boolean add(byte[] gray) {
        if (gray.length != width * height) {
            throw new IllegalArgumentException("frame of " + gray.length + " bytes, expected " + width * height);
        }
        if (count == capacity) {
            return false;
        }
        System.arraycopy(gray, 0, samples, count * width * height, gray.length);
        count++;
        return true;
    }

    public int samples() {
        return count;
    }

    /** Sample {@code i}, as a read-only view (no copy). */
    public ByteBuffer sample(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("sample " + i + " of " + count);
        }
        return ByteBuffer.wrap(samples, i * width * height, width * height).slice().asReadOnlyBuffer();
    }

    /** The median image (GRAY8, row-major); at least one sample is needed. */
    public byte[] median() {
        return percentile(0.5);
    }

    /**
     * Per pixel, the sample value with a share {@code q} of the samples at or below it (0 the darkest,
     * 1 the lightest); at least one sample is needed.
     */
    public byte[] percentile(double q) {
        if (count == 0) {
            throw new IllegalStateException("no frame sampled for the background");
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("percentile " + q + " outside 0..1");
        }
        int pixels = width * height;
        byte[] out = new byte[pixels];
        int[] values = new int[count];
        int rank = (int) Math.min(count - 1, Math.floor(q * count));
        for (int p = 0; p < pixels; p++) {
            for (int k = 0; k < count; k++) {
                values[k] = samples[k * pixels + p] & 0xFF;
            }
            out[p] = (byte) select(values, rank);
        }
        return out;
    }

    /** The k-th smallest of {@code values} (Hoare's selection; reorders the array). */
    private static int select(int[] values, int k) {
        int lo = 0;
        int hi = values.length - 1;
        while (lo < hi) {
            int pivot = values[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    int t = values[i];
                    values[i] = values[j];
                    values[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return values[k];
            }
        }
        return values[k];
    }
}
