package dev.shoal.segmenter;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Per-pixel median of sampled frames: animals that move are in few samples, so the median is the
 * empty arena. The samples are rows of one matrix and OpenCV sorts every column, rather than a
 * per-pixel median loop in Java.
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

    /** The median image (GRAY8, row-major); at least one sample is needed. */
    public byte[] median() {
        if (count == 0) {
            throw new IllegalStateException("no frame sampled for the background");
        }
        int pixels = width * height;
        byte[] median = new byte[pixels];
        try (BytePointer data = new BytePointer(samples);
             Mat stacked = new Mat(count, pixels, opencv_core.CV_8UC1, data);
             Mat sorted = new Mat()) {
            opencv_core.sort(stacked, sorted, opencv_core.SORT_EVERY_COLUMN | opencv_core.SORT_ASCENDING);
            try (BytePointer row = sorted.ptr(count / 2)) {
                row.get(median, 0, pixels);
            }
        }
        return median;
    }
}
