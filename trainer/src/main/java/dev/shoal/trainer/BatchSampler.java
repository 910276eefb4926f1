package dev.shoal.trainer;

import java.util.Random;

/**
 * Chooses the images of each training batch. Classic: the labelled training images, shuffled, one
 * pass per epoch. Pairwise and contrastive: half of each batch from the labelled training images, the rest drawn
 * from randomly chosen global fragments, a few images from each of their fragments, so every batch
 * holds many pairs the fragments label (same fragment, or coexisting fragments); an epoch is as many
 * images as the larger of the labelled training images and the fragments' images, the latter capped at
 * {@code maxPerIdentity} per class (when given) as the labelled images are.
 */
final class BatchSampler {

    private final TrainingImages images;
    private final int[] labelled;
    private final boolean[] heldOut;
    private final TrainingMethod method;
    private final int batchSize;
    private final Random random;
    private final long imagesPerEpoch;
    private int labelledNext;
    private long drawn;

    /** @param maxPerIdentity caps an epoch's pair images at this many per class; 0 for no cap */
    BatchSampler(TrainingImages images, IdentityTrainer.Split split, TrainingMethod method, int batchSize,
                 int maxPerIdentity, int seed) {
        this.images = images;
        this.labelled = split.training().clone();
        this.heldOut = split.heldOut();
        this.method = pairsAvailable(images, method) ? TrainingMethod.PAIRWISE : TrainingMethod.CLASSIC;
        this.batchSize = batchSize;
        this.random = new Random(seed);
        long fragmentImages = 0;
        if (this.method == TrainingMethod.PAIRWISE) {
            for (int f = 0; f < images.fragments(); f++) {
                fragmentImages += images.imagesOf(f).length;
            }
        }
        if (maxPerIdentity > 0) {
            fragmentImages = Math.min(fragmentImages, (long) maxPerIdentity * images.classes());
        }
        this.imagesPerEpoch = Math.max(labelled.length, fragmentImages);
    }

    private static boolean pairsAvailable(TrainingImages images, TrainingMethod method) {
        return method != TrainingMethod.CLASSIC && images.globalFragments() > 0;
    }

    void startEpoch() {
        IdentityTrainer.shuffle(labelled, random);
        labelledNext = 0;
        drawn = 0;
    }

    /** Fills {@code batch} with the next batch's images; returns how many, 0 at the end of the epoch. */
    int next(int[] batch) {
        if (method == TrainingMethod.CLASSIC) {
            int n = Math.min(batchSize, labelled.length - labelledNext);
            System.arraycopy(labelled, labelledNext, batch, 0, n);
            labelledNext += n;
            return n;
        }
        if (drawn >= imagesPerEpoch) {
            return 0;
        }
        int n = 0;
        int fromLabelled = Math.min(batchSize / 2, labelled.length);
        for (int i = 0; i < fromLabelled; i++) {
            if (labelledNext == labelled.length) {
                IdentityTrainer.shuffle(labelled, random);
                labelledNext = 0;
            }
            batch[n++] = labelled[labelledNext++];
        }
        int misses = 0;
        while (n < batchSize && misses < batchSize) {
            int[] fragments = images.fragmentsOf(random.nextInt(images.globalFragments()));
            int perFragment = Math.max(2, (batchSize - fromLabelled) / Math.max(1, fragments.length));
            for (int fragment : fragments) {
                int[] own = images.imagesOf(fragment);
                for (int k = 0; k < perFragment && n < batchSize; k++) {
                    int image = own[random.nextInt(own.length)];
                    if (heldOut[image]) {
                        misses++;
                    } else {
                        batch[n++] = image;
                    }
                }
            }
        }
        drawn += n;
        return n;
    }
}
