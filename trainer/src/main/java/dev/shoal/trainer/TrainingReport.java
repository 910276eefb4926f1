package dev.shoal.trainer;

/**
 * What one training run did.
 *
 * @param images labelled images used (training and validation splits together); for the contrastive
 *               method, which learns from pairs only, all the images
 * @param trainingImages images in the training split (contrastive: all but the held-out labelled ones)
 * @param epochs passes made over the training split
 * @param bestEpoch the epoch (1-based) whose weights were kept: lowest validation loss (contrastive:
 *                  highest silhouette score of the clustering)
 * @param validationAccuracy share of validation images classified correctly by the kept weights; NaN
 *                           when no labelled image was held out (contrastive method without labels)
 * @param validationLoss mean cross-entropy of the kept weights on the validation split (NaN likewise)
 * @param seconds wall time of the whole run
 * @param imagesPerSecond training images through forward, backward and update, per second spent in
 *                        those steps (validation passes excluded)
 */
public record TrainingReport(long images, long trainingImages, int epochs, int bestEpoch,
                             double validationAccuracy, double validationLoss, double seconds,
                             double imagesPerSecond) {
}
