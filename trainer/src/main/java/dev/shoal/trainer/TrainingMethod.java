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
    PAIRWISE,
    /**
     * Contrastive + clustering (as idtracker.ai v6): the network gives an embedding, trained only on
     * pairs (same fragment or same label: pulled together; coexisting fragments or different labels:
     * pushed at least a margin apart), then k-means into one cluster per identity; identities come
     * from the distances to the centroids. See {@link ContrastiveTrainer}.
     */
    CONTRASTIVE
}
