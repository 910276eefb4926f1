package dev.shoal.segmenter;

import java.util.List;

/**
 * The blobs of one frame and the frame's label image (row-major, 0 = background, else the blob's
 * {@link DetectedBlob#label}), which the fragment linker compares with the previous frame's.
 */
public record Segmentation(int width, int height, List<DetectedBlob> blobs, int[] labels, int threshold) {
}
