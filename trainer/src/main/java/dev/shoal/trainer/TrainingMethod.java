package dev.shoal.trainer;

/** How the identity network learns from the images. */
public enum TrainingMethod {
    /** Cross-entropy on the labelled images only (idtracker.ai). */
    CLASSIC,
    /**
     * Cross-entropy on the labelled images plus a pairwise term over the pairs in each batch that the
     * fragments label (Hsu et al.'s meta-classification likelihood): binary cross-entropy between
     * "same animal" and the inner product of the two images' identity probabilities, so unlabelled
     * fragments teach the network too.
     */
    PAIRWISE
}
