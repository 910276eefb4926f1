package dev.shoal.segmenter;

import dev.shoal.core.BadInputException;
import dev.shoal.core.RegionOfInterest;

/**
 * How the segmenter finds animals.
 *
 * @param polarity      how animals differ from the background
 * @param threshold     foreground threshold in grey levels of difference; 0 chooses one from the image
 * @param minArea       smaller blobs are noise and dropped, in pixels
 * @param maxArea       largest single-animal blob in pixels; larger ones are crossings (kept, flagged)
 * @param openingRadius radius of a morphological opening of the foreground (0 = none), which cuts thin
 *                      bridges such as legs and wings between touching animals
 * @param background    what frames are compared with
 * @param region        the part of the frame animals are looked for in; null for the whole frame
 */
public record SegmentationSettings(Polarity polarity, int threshold, int minArea, int maxArea, int openingRadius,
                                   BackgroundMode background, RegionOfInterest region) {

    /** The usual choice: a modelled background, animals anywhere in the frame. */
    public SegmentationSettings(Polarity polarity, int threshold, int minArea, int maxArea, int openingRadius) {
        this(polarity, threshold, minArea, maxArea, openingRadius, BackgroundMode.MODELLED, null);
    }

    public SegmentationSettings {
        if (background == null) {
            throw new BadInputException("background (--background) is missing; give MODELLED or FLAT");
        }
        if (polarity == null) {
            throw new BadInputException("polarity (--polarity) is missing; give DARK_ON_LIGHT, LIGHT_ON_DARK or ANY");
        }
        if (threshold < 0 || threshold > 255) {
            throw new BadInputException("threshold (--threshold) " + threshold
                    + ": must be 0 (automatic) or 1..255 grey levels");
        }
        if (minArea < 1) {
            throw new BadInputException("min area (--min-area) " + minArea + ": must be at least 1 pixel");
        }
        if (maxArea < minArea) {
            throw new BadInputException("max area (--max-area) " + maxArea + ": must be at least the min area ("
                    + minArea + ")");
        }
        if (openingRadius < 0) {
            throw new BadInputException("opening radius (--opening) " + openingRadius + ": must be 0 or more");
        }
    }

    /** These settings with another threshold and single-animal area range (learnt, or restored). */
    public SegmentationSettings withThresholdAndAreas(int newThreshold, int newMinArea, int newMaxArea) {
        return new SegmentationSettings(polarity, newThreshold, newMinArea, newMaxArea, openingRadius, background,
                region);
    }
}
