package dev.shoal.segmenter;

/** How animals differ from the background. */
public enum Polarity {
    /** Dark animals on a light background (the usual back-lit arena). */
    DARK_ON_LIGHT,
    /** Light animals on a dark background. */
    LIGHT_ON_DARK,
    /** Either: the absolute difference. */
    ANY
}
