package dev.shoal.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.shoal.core.BadInputException;
import dev.shoal.core.assignment.LinearAssignmentSolver;
import dev.shoal.core.progress.ProgressLine;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * The contrastive + clustering method (after idtracker.ai v6): an {@link IdentityNetwork} whose last
 * layer gives an embedding ({@link IdentityNetwork#forMethod}: the classifier's trunk) is trained on
 * pairs only, then its embeddings are clustered into one cluster per identity; the model's logits
 * are the scaled negative squared distances to the centroids ({@link IdentityCentroids}).
 *
 * <p>Loss over a batch's known pairs ({@link IdentityTrainer#relation}: same fragment or same label,
 * coexisting fragments or different labels): the mean of d^2 over the positive pairs plus the mean of
 * max(0, margin - d)^2 over the negative pairs (Hadsell, Chopra and LeCun's contrastive loss, each
 * kind averaged on its own since a batch holds many more negative pairs than positive ones). Batches
 * come from {@link BatchSampler} as for the pairwise method.
 *
 * <p>After each epoch, the embeddings of a fixed sample of training images are clustered with
 * k-means, seeded with the labelled images' means per identity when every identity has some (the
 * accumulator's first global fragment), else with the fragments of the global fragment that holds
 * every identity and whose shortest fragment is longest, else by k-means++; when labels exist the
 * clusters are then matched to them (the assignment that keeps most labelled images in their
 * identity's cluster). Training stops when the clustering's silhouette score has not improved for
 * {@code patience} epochs; the best epoch's weights and centroids are kept. Validation accuracy is
 * measured on the held-out labelled images (NaN when there are none).
 */
public final class ContrastiveTrainer {

    /** Values per embedding. */
    public static final int EMBEDDING_SIZE = 16;
    /** Negative pairs are pushed at least this far apart. */
    public static final float MARGIN = 1f;
    /** Training images embedded and clustered after each epoch. */
    static final int CLUSTER_SAMPLE = 3000;
    /** Of those, the images the silhouette is measured on (its cost is quadratic). */
    static final int SILHOUETTE_SAMPLE = 1000;
    /** Images of each seeding fragment put in the cluster sample. */
    private static final int SEED_IMAGES = 64;
    private static final int EMBEDDING_BATCH = 256;
    /** Keeps the square root's gradient finite at distance 0 (the masked diagonal). */
    private static final float DISTANCE_EPSILON = 1e-8f;
    private static final int[] EMBEDDING_AXIS = {2};
    private static final String ENGINE = "PyTorch";

    private final TrainingOptions options;
    private final PrintWriter progress;

    /** @param progress where the progress line prints (epoch, images/s, loss, silhouette); null for none */
    public ContrastiveTrainer(TrainingOptions options, PrintWriter progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Trains from {@code warmStart}'s weights (fresh ones when null) and clusters; the returned model
     * keeps the epoch with the best silhouette score.
     */
    public TrainedIdentityModel train(IdentityNetwork network, TrainingImages images, TrainedIdentityModel warmStart) {
        IdentityTrainer.check(network, images, warmStart);
        if (!network.embeds()) {
            throw new BadInputException("contrastive training: " + network + " gives logits, not an embedding;"
                    + " give network.forMethod(CONTRASTIVE)");
        }
        boolean labelled = false;
        for (int i = 0; i < images.size() && !labelled; i++) {
            labelled = images.label(i) >= 0;
        }
        if (!labelled && images.globalFragments() == 0) {
            throw new BadInputException("contrastive training: the images have no label and no global fragment, so no"
                    + " pair to learn from; give global fragments (or labelled images)");
        }
        IdentityTrainer.Split split = labelled
                ? IdentityTrainer.Split.stratified(images, options.validationFraction(),
                        options.maxImagesPerIdentity(), options.seed())
                : IdentityTrainer.Split.unlabelled(images.size());
        long start = System.nanoTime();
        Engine.getEngine(ENGINE).setRandomSeed(options.seed());
        Model model = Model.newInstance("identity", Device.cpu(), ENGINE);
        try {
            model.setBlock(network.newBlock());
            return fit(model, network, images, split, warmStart, start);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private TrainedIdentityModel fit(Model model, IdentityNetwork network, TrainingImages images,
                                     IdentityTrainer.Split split, TrainedIdentityModel warmStart, long start) {
        int batchSize = options.batchSize();
        int[] sample = clusterSample(images, split);
        AtomicLong imagesDone = new AtomicLong();
        AtomicReference<String> status = new AtomicReference<>("epoch 1");
        BatchSampler sampler = new BatchSampler(images, split, TrainingMethod.CONTRASTIVE, batchSize,
                options.maxImagesPerIdentity(), options.seed());
        int[] batchImages = new int[batchSize];
        float[] inputs = new float[Math.max(batchSize, EMBEDDING_BATCH) * network.pixels()];
        float[] labels = new float[batchSize];
        float[] positive = new float[batchSize * batchSize];
        float[] negative = new float[batchSize * batchSize];
        Random turns = new Random(options.seed());

        int epochs = 0;
        int bestEpoch = 0;
        double bestSilhouette = Double.NEGATIVE_INFINITY;
        EmbeddingClusters best = null;
        float[] bestEmbeddings = null;
        byte[] bestWeights = null;
        long stepNanos = 0;
        ProgressLine line = progress == null ? null : new ProgressLine("training", "images", imagesDone::get, 0,
                status::get, progress, options.progressPeriod());
        // The loss is computed here; the trainer's own loss is never evaluated.
        try (Trainer trainer = model.newTrainer(IdentityTrainer.config(options, Loss.l2Loss()))) {
            trainer.initialize(network.inputShape(batchSize));
            if (warmStart != null) {
                IdentityTrainer.copyWeights(model, warmStart);
            }
            for (int epoch = 1; epoch <= options.maxEpochs(); epoch++) {
                sampler.startEpoch();
                double lossSum = 0;
                int lossBatches = 0;
                long stepStart = System.nanoTime();
                for (int n = sampler.next(batchImages); n > 0; n = sampler.next(batchImages)) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new CancellationException("training interrupted");
                    }
                    try (NDManager scope = trainer.getManager().newSubManager()) {
                        NDList batch = IdentityTrainer.batch(scope, network, images, batchImages, 0, n, inputs, labels, turns);
                        int[] pairs = pairs(images, batchImages, n, labels, positive, negative);
                        if (pairs[0] + pairs[1] > 0) {
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDArray embeddings = trainer.forward(new NDList(batch.get(0))).singletonOrThrow();
                                NDArray loss = loss(scope, embeddings, n, positive, negative, pairs);
                                collector.backward(loss);
                                lossSum += loss.getFloat();
                                lossBatches++;
                            }
                            trainer.step();
                        }
                    }
                    imagesDone.addAndGet(n);
                }
                stepNanos += System.nanoTime() - stepStart;
                epochs = epoch;

                float[] embeddings = embed(trainer.getManager(), (scope, x) -> trainer.evaluate(new NDList(x)).singletonOrThrow(),
                        network, images, sample, inputs);
                EmbeddingClusters clusters = cluster(embeddings, network, images, sample);
                double silhouette = clusters.silhouette(embeddings, SILHOUETTE_SAMPLE);
                status.set(String.format(Locale.ROOT, "epoch %d, loss %.4f, silhouette %.4f", epoch,
                        lossSum / Math.max(1, lossBatches), silhouette));
                if (best == null || silhouette > bestSilhouette) {
                    bestSilhouette = silhouette;
                    best = clusters;
                    bestEmbeddings = embeddings;
                    bestEpoch = epoch;
                    bestWeights = IdentityTrainer.weights(model.getBlock());
                } else if (epoch - bestEpoch >= options.patience()) {
                    break;
                }
            }
        } finally {
            if (line != null) {
                line.close();
            }
        }
        if (bestEpoch != epochs) {
            IdentityTrainer.restore(model, bestWeights);
        }
        IdentityCentroids centroids = new IdentityCentroids(best.centroids(), network.classes(), network.embedding(),
                best.scale(bestEmbeddings));
        double[] validation = validate(model, network, images, split.validation(), centroids, inputs);
        double seconds = (System.nanoTime() - start) / 1e9;
        TrainingReport report = new TrainingReport(images.size(), images.size() - split.validation().length, epochs,
                bestEpoch, validation[0], validation[1], seconds, imagesDone.get() / (stepNanos / 1e9));
        return new TrainedIdentityModel(model, network, centroids, report);
    }

    /**
     * Fills the masks of the batch's positive and negative pairs (upper triangle) from what is known
     * about its images; returns their counts.
     */
    private static int[] pairs(TrainingImages images, int[] batchImages, int n, float[] labels, float[] positive,
                               float[] negative) {
        Arrays.fill(positive, 0, n * n, 0);
        Arrays.fill(negative, 0, n * n, 0);
        int positives = 0;
        int negatives = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int relation = IdentityTrainer.relation(images, batchImages[i], batchImages[j],
                        labels[i] >= 0 && labels[j] >= 0, labels[i], labels[j]);
                if (relation == 1) {
                    positive[i * n + j] = 1;
                    positives++;
                } else if (relation == 0) {
                    negative[i * n + j] = 1;
                    negatives++;
                }
            }
        }
        return new int[] {positives, negatives};
    }

    /** Mean d^2 over the positive pairs plus mean max(0, margin - d)^2 over the negative pairs. */
    private static NDArray loss(NDManager scope, NDArray embeddings, int n, float[] positive, float[] negative,
                                int[] pairs) {
        Shape square = new Shape(n, n);
        NDArray squared = embeddings.expandDims(1).sub(embeddings.expandDims(0)).square().sum(EMBEDDING_AXIS);
        NDArray loss = null;
        if (pairs[0] > 0) {
            loss = squared.mul(scope.create(Arrays.copyOf(positive, n * n), square)).sum().div(pairs[0]);
        }
        if (pairs[1] > 0) {
            NDArray shortfall = Activation.relu(squared.add(DISTANCE_EPSILON).sqrt().neg().add(MARGIN));
            NDArray push = shortfall.square().mul(scope.create(Arrays.copyOf(negative, n * n), square)).sum().div(pairs[1]);
            loss = loss == null ? push : loss.add(push);
        }
        return loss;
    }

    /**
     * The images clustered after each epoch: the labelled training images, the images of the seeding
     * global fragment, then others drawn at random, never held-out ones, at most {@link #CLUSTER_SAMPLE}.
     */
    private int[] clusterSample(TrainingImages images, IdentityTrainer.Split split) {
        boolean[] chosen = new boolean[images.size()];
        int[] sample = new int[Math.min(CLUSTER_SAMPLE, images.size())];
        int n = 0;
        for (int i : split.training()) {
            if (n < sample.length) {
                chosen[i] = true;
                sample[n++] = i;
            }
        }
        int seed = seedingGlobal(images);
        if (seed >= 0) {
            for (int fragment : images.fragmentsOf(seed)) {
                int[] own = images.imagesOf(fragment);
                for (int k = 0; k < Math.min(SEED_IMAGES, own.length) && n < sample.length; k++) {
                    int image = own[(int) ((long) k * own.length / Math.min(SEED_IMAGES, own.length))];
                    if (!chosen[image] && !split.heldOut()[image]) {
                        chosen[image] = true;
                        sample[n++] = image;
                    }
                }
            }
        }
        int[] order = new int[images.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        IdentityTrainer.shuffle(order, new Random(options.seed()));
        for (int i : order) {
            if (n == sample.length) {
                break;
            }
            if (!chosen[i] && !split.heldOut()[i]) {
                chosen[i] = true;
                sample[n++] = i;
            }
        }
        return Arrays.copyOf(sample, n);
    }

    /** The global fragment holding every identity whose shortest fragment is longest, or -1. */
    private static int seedingGlobal(TrainingImages images) {
        int best = -1;
        int bestShortest = 0;
        for (int g = 0; g < images.globalFragments(); g++) {
            int[] fragments = images.fragmentsOf(g);
            if (fragments.length != images.classes()) {
                continue;
            }
            int shortest = Integer.MAX_VALUE;
            for (int f : fragments) {
                shortest = Math.min(shortest, images.imagesOf(f).length);
            }
            if (shortest > bestShortest) {
                best = g;
                bestShortest = shortest;
            }
        }
        return best;
    }

    /** k-means seeded as the class says, its clusters matched to the labels when there are labels. */
    private EmbeddingClusters cluster(float[] embeddings, IdentityNetwork network, TrainingImages images, int[] sample) {
        int classes = network.classes();
        int d = network.embedding();
        int[] labels = new int[sample.length];
        boolean anyLabel = false;
        for (int i = 0; i < sample.length; i++) {
            labels[i] = images.label(sample[i]);
            anyLabel |= labels[i] >= 0;
        }
        float[] seeds = means(embeddings, d, classes, labels);
        if (seeds == null) {
            int global = seedingGlobal(images);
            if (global >= 0) {
                int[] member = new int[sample.length];
                Arrays.fill(member, -1);
                int[] fragments = images.fragmentsOf(global);
                for (int i = 0; i < sample.length; i++) {
                    int f = images.fragment(sample[i]);
                    for (int k = 0; k < fragments.length && f >= 0; k++) {
                        if (fragments[k] == f) {
                            member[i] = k;
                        }
                    }
                }
                seeds = means(embeddings, d, classes, member);
            }
        }
        EmbeddingClusters clusters = EmbeddingClusters.kMeans(embeddings, d, classes, seeds, new Random(options.seed()));
        if (!anyLabel) {
            return clusters;
        }
        double[] cost = new double[classes * classes];
        for (int i = 0; i < sample.length; i++) {
            if (labels[i] >= 0) {
                cost[labels[i] * classes + clusters.assignment()[i]] -= 1;
            }
        }
        int[] order = new int[classes];
        new LinearAssignmentSolver().solve(cost, classes, classes, order);
        return clusters.reordered(order);
    }

    /** The mean embedding per group (-1: none), or null when a group has no member. */
    private static float[] means(float[] embeddings, int d, int groups, int[] group) {
        double[] sums = new double[groups * d];
        int[] counts = new int[groups];
        for (int i = 0; i < group.length; i++) {
            if (group[i] >= 0) {
                counts[group[i]]++;
                for (int j = 0; j < d; j++) {
                    sums[group[i] * d + j] += embeddings[i * d + j];
                }
            }
        }
        float[] means = new float[groups * d];
        for (int c = 0; c < groups; c++) {
            if (counts[c] == 0) {
                return null;
            }
            for (int j = 0; j < d; j++) {
                means[c * d + j] = (float) (sums[c * d + j] / counts[c]);
            }
        }
        return means;
    }

    /** Embeddings of the images (no turn), row-major [images, embedding], by {@code forward} in sub-managers of {@code manager}. */
    private static float[] embed(NDManager manager, BiFunction<NDManager, NDArray, NDArray> forward, IdentityNetwork network,
                                 TrainingImages images, int[] indices, float[] inputs) {
        int d = network.embedding();
        int pixels = network.pixels();
        float[] out = new float[indices.length * d];
        for (int from = 0; from < indices.length; from += EMBEDDING_BATCH) {
            int n = Math.min(EMBEDDING_BATCH, indices.length - from);
            for (int i = 0; i < n; i++) {
                images.scaleInto(indices[from + i], inputs, i * pixels);
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.create(FloatBuffer.wrap(inputs, 0, n * pixels), network.inputShape(n));
                float[] e = forward.apply(scope, x).toFloatArray();
                System.arraycopy(e, 0, out, from * d, n * d);
            }
        }
        return out;
    }

    /** Accuracy and mean cross-entropy of the centroid model on the held-out labelled images; NaN when none. */
    private static double[] validate(Model model, IdentityNetwork network, TrainingImages images, int[] validation,
                                     IdentityCentroids centroids, float[] inputs) {
        if (validation.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int d = network.embedding();
        int classes = network.classes();
        float[] embeddings = embed(model.getNDManager(), (scope, x) -> model.getBlock()
                .forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow(), network, images,
                validation, inputs);
        long correct = 0;
        double loss = 0;
        double[] logits = new double[classes];
        for (int i = 0; i < validation.length; i++) {
            int best = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                logits[c] = -centroids.scale()
                        * EmbeddingClusters.squaredDistance(embeddings, i, centroids.centroids(), c, d);
                if (logits[c] > max) {
                    max = logits[c];
                    best = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[c] - max);
            }
            int label = images.label(validation[i]);
            loss += max + Math.log(sum) - logits[label];
            if (best == label) {
                correct++;
            }
        }
        return new double[] {(double) correct / validation.length, loss / validation.length};
    }
}
