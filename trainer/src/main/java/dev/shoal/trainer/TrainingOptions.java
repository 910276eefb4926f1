package dev.shoal.trainer;

import dev.shoal.core.BadInputException;
import java.time.Duration;

/**
 * How {@link IdentityTrainer} trains: Adam with a fixed learning rate on shuffled mini-batches, a
 * stratified held-out validation split, and early stopping when the validation loss has not improved
 * for {@code patience} epochs (the best weights are kept).
 *
 * @param batchSize images per mini-batch
 * @param maxEpochs upper bound on passes over the training split
 * @param patience epochs without a validation-loss improvement before stopping
 * @param validationFraction share of each identity's images held out for validation, in (0, 1)
 * @param learningRate Adam's learning rate
 * @param seed seeds weight initialisation, the split and the shuffling: same seed, same model
 * @param progressPeriod how often the progress line prints
 * @param method what the loss learns from: labelled images only, pairs that fragments label too, or
 *               pairs only through an embedding (contrastive: early stopping then follows the
 *               clustering's silhouette score instead of the validation loss)
 * @param pairWeight weight (lambda) of the pairwise term against the cross-entropy, for {@link TrainingMethod#PAIRWISE}
 * @param maxImagesPerIdentity labelled images of one identity a training run uses at most, drawn at random from
 *               all of its fragments (0: all); bounds a run's cost whatever the video's length, after
 *               idtracker.ai's cap of images per animal
 */
public record TrainingOptions(int batchSize, int maxEpochs, int patience, double validationFraction,
                              float learningRate, int seed, Duration progressPeriod, TrainingMethod method,
                              float pairWeight, int maxImagesPerIdentity) {

    public TrainingOptions {
        if (batchSize < 1) {
            throw new BadInputException("training options: batchSize is " + batchSize + "; give at least 1 (default 64)");
        }
        if (maxEpochs < 1) {
            throw new BadInputException("training options: maxEpochs is " + maxEpochs + "; give at least 1");
        }
        if (patience < 1) {
            throw new BadInputException("training options: patience is " + patience + "; give at least 1 epoch");
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new BadInputException("training options: validationFraction is " + validationFraction
                    + "; give a share between 0 and 1 (default 0.1)");
        }
        if (!(learningRate > 0)) {
            throw new BadInputException("training options: learningRate is " + learningRate + "; give a positive rate");
        }
        if (progressPeriod == null || progressPeriod.isNegative() || progressPeriod.isZero()) {
            throw new BadInputException("training options: progressPeriod is " + progressPeriod
                    + "; give a positive duration");
        }
        if (method == null) {
            throw new BadInputException("training options: method is missing; give CLASSIC, PAIRWISE or CONTRASTIVE");
        }
        if (!(pairWeight >= 0)) {
            throw new BadInputException("training options: pairWeight is " + pairWeight + "; give a weight of 0 or more (default 1)");
        }
        if (maxImagesPerIdentity < 0 || maxImagesPerIdentity == 1) {
            throw new BadInputException("training options: maxImagesPerIdentity is " + maxImagesPerIdentity
                    + "; give 0 (no cap) or at least 2 (one to train on, one to validate on)");
        }
    }

    /** Batches of 64, at most 100 epochs, patience 5, 10% validation, learning rate 0.001, seed 0, classic, no cap. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(64, 100, 5, 0.1, 1e-3f, 0, Duration.ofSeconds(10), TrainingMethod.CLASSIC, 1f, 0);
    }

    public TrainingOptions withMaxEpochs(int epochs) {
        return new TrainingOptions(batchSize, epochs, patience, validationFraction, learningRate, seed, progressPeriod,
                method, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withPatience(int epochs) {
        return new TrainingOptions(batchSize, maxEpochs, epochs, validationFraction, learningRate, seed, progressPeriod,
                method, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withValidationFraction(double fraction) {
        return new TrainingOptions(batchSize, maxEpochs, patience, fraction, learningRate, seed, progressPeriod,
                method, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withSeed(int newSeed) {
        return new TrainingOptions(batchSize, maxEpochs, patience, validationFraction, learningRate, newSeed, progressPeriod,
                method, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withLearningRate(float rate) {
        return new TrainingOptions(batchSize, maxEpochs, patience, validationFraction, rate, seed, progressPeriod,
                method, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withBatchSize(int images) {
        return new TrainingOptions(images, maxEpochs, patience, validationFraction, learningRate, seed, progressPeriod,
                method, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withProgressPeriod(Duration period) {
        return new TrainingOptions(batchSize, maxEpochs, patience, validationFraction, learningRate, seed, period,
                method, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withMethod(TrainingMethod newMethod) {
        return new TrainingOptions(batchSize, maxEpochs, patience, validationFraction, learningRate, seed, progressPeriod,
                newMethod, pairWeight, maxImagesPerIdentity);
    }

    public TrainingOptions withPairWeight(float weight) {
        return new TrainingOptions(batchSize, maxEpochs, patience, validationFraction, learningRate, seed, progressPeriod,
                method, weight, maxImagesPerIdentity);
    }

    public TrainingOptions withMaxImagesPerIdentity(int images) {
        return new TrainingOptions(batchSize, maxEpochs, patience, validationFraction, learningRate, seed, progressPeriod,
                method, pairWeight, images);
    }
}
