package dev.shoal.segmenter;

/**
 * Which frames the background is built from, the side of the identification
 * crops (0 for none), and the number of animals (0 if unknown). With a number of animals and
 * {@code learnAreas}, the single-animal area range is learnt from the warm-up samples that show
 * exactly that many blobs, replacing the given min and max area.
 *
 * @param seconds    length of the warm-up window at the start of the session; 0 for the whole session
 *                   when its length is known (a file: animals that rest for a while at the start
 *                   would otherwise become background), else 60 s
 * @param samples    frames sampled evenly over the window for the median background
 * @param cropSize   side of the identification crops in pixels, 0 for none
 * @param animals    number of animals in the arena, 0 if unknown
 * @param learnAreas learn the single-animal area range from the warm-up samples
 */
public record WarmUp(double seconds, int samples, int cropSize, int animals, boolean learnAreas) {
}
