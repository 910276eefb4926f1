package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.RegionOfInterest;
import dev.shoal.segmenter.BackgroundMode;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.WarmUp;
import picocli.CommandLine.Option;

/** The segmentation and identification-crop options {@code track} and {@code live} share (a picocli mixin). */
final class SegmentationOptions {

    @Option(names = "--polarity", defaultValue = "DARK_ON_LIGHT",
            description = "Animals against the background: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Polarity polarity;

    @Option(names = "--threshold", defaultValue = "0",
            description = "Foreground threshold in grey levels; 0 chooses one from the image (default).")
    int threshold;

    @Option(names = "--min-area", defaultValue = "0",
            description = "Smallest blob, in pixels: noise below it is dropped, and a learnt range never goes below it"
                    + " (default 0: 10 px).")
    int minArea;

    @Option(names = "--max-area", defaultValue = "0",
            description = "Largest single-animal blob in pixels; larger blobs are crossings (default 0: learnt in the"
                    + " warm-up).")
    int maxArea;

    @Option(names = "--opening", defaultValue = "0", paramLabel = "RADIUS",
            description = "Radius of a morphological opening of the foreground that cuts legs and wings between"
                    + " touching animals (default 0: none).")
    int opening;

    @Option(names = "--background", defaultValue = "MODELLED",
            description = "What frames are compared with: MODELLED (the empty arena, learnt from the video: animals"
                    + " that never move vanish into it) or FLAT (one grey level: animals found by intensity alone,"
                    + " static dark scenery must be left out with --roi) (default: ${DEFAULT-VALUE}).")
    BackgroundMode background;

    @Option(names = "--roi", paramLabel = "X,Y,W,H",
            description = "Look for animals only inside this rectangle of the frame, in pixels (default: the whole"
                    + " frame). Positions stay in the video's coordinates.")
    String roi;

    @Option(names = "--crop-size", defaultValue = "52", paramLabel = "PX",
            description = "Side of each animal's identification image; 0 for none: no training, identities stay"
                    + " fragment-based (default: ${DEFAULT-VALUE}).")
    int cropSize;

    void check() {
        if (cropSize != 0 && (cropSize < 8 || cropSize > 512)) {
            throw new BadInputException("--crop-size " + cropSize + ": give 0 (no crops) or 8..512 pixels");
        }
    }

    /** Until learnt, or when learning finds no frame with every animal apart: permissive area bounds. */
    SegmentationSettings settings(int width, int height) {
        RegionOfInterest region = roi == null ? null : RegionOfInterest.parse("--roi", roi);
        if (region != null) {
            region.requireInside("--roi", width, height);
        }
        return new SegmentationSettings(polarity, threshold, minArea > 0 ? minArea : 10,
                maxArea > 0 ? maxArea : width * height / 10, opening, background, region);
    }

    /** The warm-up: 60 background samples over {@code seconds}, the area range learnt unless --max-area is given. */
    WarmUp warmUp(double seconds, int animals) {
        return new WarmUp(seconds, 60, cropSize, animals, maxArea == 0);
    }
}
