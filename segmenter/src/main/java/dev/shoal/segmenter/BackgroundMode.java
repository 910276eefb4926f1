package dev.shoal.segmenter;

/** What each frame is compared with to find the animals. */
public enum BackgroundMode {
    /**
     * A per-pixel percentile of the warm-up samples: the empty arena, so lighting and scenery drop
     * out; an animal that never leaves its spot drops out with them.
     */
    MODELLED,
    /**
     * One grey level, the arena's typical one (the median of the modelled background): animals are
     * found by their intensity alone, as idtracker.ai does without background subtraction, so an
     * animal that never moves is still found; static scenery as dark as the animals must be left out
     * with a region of interest.
     */
    FLAT
}
