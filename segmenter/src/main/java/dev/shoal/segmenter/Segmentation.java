package dev.shoal.segmenter;

import java.nio.IntBuffer;
import java.util.List;

/**
 * The blobs of one frame and the frame's label image (row-major, 0 = background, else the blob's
 * {@link DetectedBlob#label}), which the fragment linker compares with the previous frame's. The
 * label image belongs to the detector and is overwritten two frames later.
 */
public record Segmentation(int width, int height, List<DetectedBlob> blobs, IntBuffer labels, int threshold) {
}
