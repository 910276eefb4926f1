package dev.shoal.segmenter;

/**
 * One connected foreground component.
 *
 * @param label       its value in the frame's label image
 * @param x           centroid x, sub-pixel
 * @param y           centroid y, sub-pixel
 * @param orientation long-axis angle from the second moments, radians in (-pi/2, pi/2], y down
 * @param elongation  long over short axis (square root of the moments' eigenvalue ratio)
 */
public record DetectedBlob(int label, double x, double y, int area, int left, int top, int width, int height,
                           double orientation, double elongation) {
}
