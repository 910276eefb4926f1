package dev.shoal.trainer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import dev.shoal.core.BadInputException;
import dev.shoal.core.progress.ProgressLine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Training of an {@link IdentityNetwork} on DJL's PyTorch engine (CPU): cross-entropy on the labelled
 * crops (classic), plus the pairwise term (pairwise); the contrastive method is handed to
 * {@link ContrastiveTrainer}.
 *
 * <p>The engine must be loaded offline: run with {@code -Dai.djl.offline=true} and {@code DJL_CACHE_DIR}
 * set, with pytorch-native-cpu and pytorch-jni on the class path. Intra-op threads are process-wide:
 * {@code -Dai.djl.pytorch.num_threads=1} gives steadier throughput when other work shares the cores.
 */
public final class IdentityTrainer {

    private static final String ENGINE = "PyTorch";
    private static final int[] CLASS_AXIS = {1};
    /** Keeps log(p_i . p_j) and log(1 - p_i . p_j) finite. */
    private static final float PAIR_EPSILON = 1e-6f;

    private final TrainingOptions options;
    private final PrintWriter progress;

    /**
     * @param progress where the progress line prints (epoch, images/s, loss, validation accuracy); null for none
     */
    public IdentityTrainer(TrainingOptions options, PrintWriter progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Trains a fresh network on the crops; the returned model keeps the weights of the best validation epoch. */
    public TrainedIdentityModel train(IdentityNetwork network, TrainingImages images) {
        return train(network, images, null);
    }

    /**
     * Trains on the images, starting from a copy of {@code warmStart}'s weights (or fresh weights when
     * null); the returned model keeps the weights of the best validation epoch. Validation uses a
     * held-out share of the labelled images.
     */
    public TrainedIdentityModel train(IdentityNetwork network, TrainingImages images, TrainedIdentityModel warmStart) {
        check(network, images, warmStart);
        if (network.embeds() != (options.method() == TrainingMethod.CONTRASTIVE)) {
            throw new BadInputException("training: the " + options.method() + " method needs "
                    + (network.embeds() ? "a classifier" : "an embedding network") + " but got " + network
                    + "; give network.forMethod(" + options.method() + ")");
        }
        if (options.method() == TrainingMethod.CONTRASTIVE) {
            return new ContrastiveTrainer(options, progress).train(network, images, warmStart);
        }
        Split split = Split.stratified(images, options.validationFraction(), options.maxImagesPerIdentity(), options.seed());
        long start = System.nanoTime();

        Engine.getEngine(ENGINE).setRandomSeed(options.seed());
        Model model = Model.newInstance("identity", Device.cpu(), ENGINE);
        try {
            model.setBlock(network.newBlock());
            TrainingReport report = fit(model, network, images, split, warmStart, start);
            return new TrainedIdentityModel(model, network, report);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Adam at the options' rate, He initialisation (it suits ReLU layers), zero biases, CPU. */
    static DefaultTrainingConfig config(TrainingOptions options, Loss loss) {
        return new DefaultTrainingConfig(loss)
                .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(options.learningRate())).build())
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                        XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS, Parameter.Type.BIAS)
                .optDevices(new Device[] {Device.cpu()});
    }

    /**
     * Copies the warm start's weights into the arrays the trainer already holds: loading parameters
     * would replace the block's arrays, so the trainer would train its fresh ones and the model keep
     * the warm start's.
     */
    static void copyWeights(Model model, TrainedIdentityModel warmStart) {
        var own = model.getBlock().getParameters().values();
        var warm = warmStart.block().getParameters().values();
        for (int i = 0; i < own.size(); i++) {
            own.get(i).getArray().set(warm.get(i).getArray().toFloatArray());
        }
    }

    private TrainingReport fit(Model model, IdentityNetwork network, TrainingImages images, Split split,
                               TrainedIdentityModel warmStart, long start) {
        DefaultTrainingConfig config = config(options, Loss.softmaxCrossEntropyLoss());

        AtomicLong imagesDone = new AtomicLong();
        AtomicReference<String> status = new AtomicReference<>("epoch 1");
        BatchSampler sampler = new BatchSampler(images, split, options.method(), options.batchSize(),
                options.maxImagesPerIdentity(), options.seed());
        int[] batchImages = new int[options.batchSize()];
        float[] inputs = new float[options.batchSize() * network.pixels()];
        float[] labels = new float[options.batchSize()];
        Random turns = new Random(options.seed());

        int epochs = 0;
        int bestEpoch = 0;
        Evaluation best = null;
        byte[] bestWeights = null;
        long stepNanos = 0;
        ProgressLine line = progress == null ? null : new ProgressLine("training", "images", imagesDone::get, 0,
                status::get, progress, options.progressPeriod());
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(network.inputShape(options.batchSize()));
            if (warmStart != null) {
                copyWeights(model, warmStart);
            }
            for (int epoch = 1; epoch <= options.maxEpochs(); epoch++) {
                sampler.startEpoch();
                double lossSum = 0;
                long lossImages = 0;
                long stepStart = System.nanoTime();
                for (int n = sampler.next(batchImages); n > 0; n = sampler.next(batchImages)) {
                    if (Thread.currentThread().isInterrupted()) {
                        // A stopping service interrupts its training thread: give up the run, keep nothing half-trained.
                        throw new CancellationException("training interrupted");
                    }
                    try (NDManager scope = trainer.getManager().newSubManager()) {
                        NDList batch = batch(scope, network, images, batchImages, 0, n, inputs, labels, turns);
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDArray logits = trainer.forward(new NDList(batch.get(0))).singletonOrThrow();
                            NDArray loss = loss(scope, images, batchImages, n, logits, labels);
                            collector.backward(loss);
                            lossSum += loss.getFloat() * n;
                            lossImages += n;
                        }
                        trainer.step();
                    }
                    imagesDone.addAndGet(n);
                }
                stepNanos += System.nanoTime() - stepStart;
                epochs = epoch;

                Evaluation evaluation = evaluate(trainer, network, images, split.validation(), inputs, labels);
                status.set(String.format(Locale.ROOT, "epoch %d, loss %.4f, validation loss %.4f, validation accuracy %.2f%%",
                        epoch, lossSum / Math.max(1, lossImages), evaluation.loss(), 100 * evaluation.accuracy()));
                if (best == null || evaluation.loss() < best.loss()) {
                    best = evaluation;
                    bestEpoch = epoch;
                    bestWeights = weights(model.getBlock());
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
            restore(model, bestWeights);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TrainingReport(split.labelled(), split.training().length, epochs, bestEpoch, best.accuracy(),
                best.loss(), seconds, imagesDone.get() / (stepNanos / 1e9));
    }

    /**
     * Mean cross-entropy over the batch's labelled images, plus (pairwise method) {@code pairWeight}
     * times the mean binary cross-entropy between "same animal" and p_i . p_j over the batch's known pairs.
     */
    private NDArray loss(NDManager scope, TrainingImages images, int[] batchImages, int n, NDArray logits, float[] labels) {
        int classes = images.classes();
        float[] labelled = new float[n];
        int labelledCount = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) {
                labelled[i] = 1;
                labelledCount++;
            } else {
                labels[i] = 0;
            }
        }
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray oneHot = scope.create(Arrays.copyOf(labels, n)).toType(DataType.INT64, false).oneHot(classes);
        NDArray perImage = logProbabilities.mul(oneHot).sum(CLASS_AXIS).neg();
        NDArray loss = perImage.mul(scope.create(labelled)).sum().div(Math.max(1, labelledCount));
        if (options.method() != TrainingMethod.PAIRWISE || options.pairWeight() == 0) {
            return loss;
        }
        float[] same = new float[n * n];
        float[] known = new float[n * n];
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int relation = relation(images, batchImages[i], batchImages[j], labelled[i] > 0 && labelled[j] > 0,
                        labels[i], labels[j]);
                if (relation >= 0) {
                    same[i * n + j] = relation;
                    known[i * n + j] = 1;
                    pairs++;
                }
            }
        }
        if (pairs == 0) {
            return loss;
        }
        NDArray probabilities = logProbabilities.exp();
        NDArray similarity = probabilities.matMul(probabilities.transpose()).clip(PAIR_EPSILON, 1 - PAIR_EPSILON);
        NDArray s = scope.create(same, new Shape(n, n));
        NDArray bce = s.mul(similarity.log()).add(s.neg().add(1).mul(similarity.neg().add(1).log())).neg();
        NDArray pairLoss = bce.mul(scope.create(known, new Shape(n, n))).sum().div(pairs);
        return loss.add(pairLoss.mul(options.pairWeight()));
    }

    /** 1 when two images show the same animal, 0 when different animals, -1 when unknown. */
    static int relation(TrainingImages images, int a, int b, boolean bothLabelled, float labelA, float labelB) {
        if (bothLabelled) {
            return labelA == labelB ? 1 : 0;
        }
        int fa = images.fragment(a);
        int fb = images.fragment(b);
        if (fa < 0 || fb < 0) {
            return -1;
        }
        if (fa == fb) {
            return 1;
        }
        return images.coexist(fa, fb) ? 0 : -1;
    }

    /**
     * Fills inputs and labels (-1 for an unlabelled image, or one held out for validation) for a batch.
     * With {@code turns}, each image is turned by 180 degrees half of the time: crops are aligned on the
     * body's long axis without telling head from tail, and an animal often keeps its heading for a
     * whole fragment, so without this a network learns one fragment's orientation and misses the
     * same animal facing the other way.
     */
    static NDList batch(NDManager scope, IdentityNetwork network, TrainingImages images, int[] indices,
                                int from, int n, float[] inputs, float[] labels, Random turns) {
        int pixels = network.pixels();
        for (int i = 0; i < n; i++) {
            int index = indices[from + i];
            images.scaleInto(index, inputs, i * pixels);
            labels[i] = images.label(index);
            if (turns != null && turns.nextBoolean()) {
                turnHalfway(inputs, i * pixels, pixels);
            }
        }
        NDArray x = scope.create(FloatBuffer.wrap(inputs, 0, n * pixels), network.inputShape(n));
        NDArray y = scope.create(FloatBuffer.wrap(labels, 0, n), new Shape(n));
        return new NDList(x, y);
    }

    /** A square image turned by 180 degrees is its pixels in reverse order. */
    private static void turnHalfway(float[] image, int offset, int pixels) {
        for (int a = offset, b = offset + pixels - 1; a < b; a++, b--) {
            float t = image[a];
            image[a] = image[b];
            image[b] = t;
        }
    }

    private Evaluation evaluate(Trainer trainer, IdentityNetwork network, TrainingImages crops, int[] indices,
                                float[] inputs, float[] labels) {
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < indices.length; from += options.batchSize()) {
            int n = Math.min(options.batchSize(), indices.length - from);
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDList batch = batch(scope, network, crops, indices, from, n, inputs, labels, null);
                NDList predictions = trainer.evaluate(new NDList(batch.get(0)));
                lossSum += trainer.getLoss().evaluate(new NDList(batch.get(1)), predictions).getFloat() * n;
                long[] predicted = predictions.singletonOrThrow().argMax(1).toLongArray();
                for (int i = 0; i < n; i++) {
                    if (predicted[i] == (long) labels[i]) {
                        correct++;
                    }
                }
            }
        }
        return new Evaluation(lossSum / indices.length, (double) correct / indices.length);
    }

    static byte[] weights(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static void restore(Model model, byte[] weights) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
            model.getBlock().loadParameters(model.getNDManager(), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("could not restore the best epoch's weights", e);
        }
    }

    static void shuffle(int[] values, Random random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    static void check(IdentityNetwork network, TrainingImages crops, TrainedIdentityModel warmStart) {
        if (warmStart != null && !warmStart.network().equals(network)) {
            throw new BadInputException("training: the warm-start model's network " + warmStart.network()
                    + " differs from " + network + "; start fresh or give a model of the same network");
        }
        if (network == null) {
            throw new BadInputException("training: network is missing; give an IdentityNetwork");
        }
        if (crops == null || crops.size() == 0) {
            throw new BadInputException("training: crops is empty; give at least two labelled crops per identity");
        }
        if (crops.cropSize() != network.cropSize()) {
            throw new BadInputException("training: crops are " + crops.cropSize() + "x" + crops.cropSize()
                    + " but the network's cropSize is " + network.cropSize() + "; make them match");
        }
        if (crops.classes() != network.classes()) {
            throw new BadInputException("training: crops have " + crops.classes() + " classes but the network's classes is "
                    + network.classes() + "; make them match");
        }
    }

    private record Evaluation(double loss, double accuracy) {
    }

    /**
     * Indices of the labelled images for training and for validation (each identity's labelled images
     * split in the same proportion), and which images are held out. With a cap, each identity
     * contributes a random {@code maxPerIdentity} of its labelled images and the rest sit this run out.
     */
    record Split(int[] training, int[] validation, boolean[] heldOut) {

        int labelled() {
            return training.length + validation.length;
        }

        /** No labelled image: nothing to train on by label or to validate on, nothing held out. */
        static Split unlabelled(int images) {
            return new Split(new int[0], new int[0], new boolean[images]);
        }

        static Split stratified(TrainingImages crops, double validationFraction, int maxPerIdentity, int seed) {
            int classes = crops.classes();
            int[] counts = new int[classes];
            for (int i = 0; i < crops.size(); i++) {
                int c = crops.label(i);
                if (c >= 0) {
                    counts[c]++;
                }
            }
            int[][] byClass = new int[classes][];
            for (int c = 0; c < classes; c++) {
                byClass[c] = new int[counts[c]];
            }
            int[] filled = new int[classes];
            for (int i = 0; i < crops.size(); i++) {
                int c = crops.label(i);
                if (c >= 0) {
                    byClass[c][filled[c]++] = i;
                }
            }
            Random random = new Random(seed ^ 0x5DEECE66DL);
            int[] training = new int[crops.size()];
            int[] validation = new int[crops.size()];
            boolean[] heldOut = new boolean[crops.size()];
            int t = 0;
            int v = 0;
            for (int c = 0; c < classes; c++) {
                int[] images = byClass[c];
                shuffle(images, random);
                if (maxPerIdentity > 0 && images.length > maxPerIdentity) {
                    images = Arrays.copyOf(images, maxPerIdentity);
                }
                int held = images.length < 2 ? 0
                        : Math.max(1, Math.min(images.length - 1, (int) Math.round(images.length * validationFraction)));
                System.arraycopy(images, 0, validation, v, held);
                System.arraycopy(images, held, training, t, images.length - held);
                for (int k = 0; k < held; k++) {
                    heldOut[images[k]] = true;
                }
                v += held;
                t += images.length - held;
            }
            if (v == 0) {
                throw new BadInputException("training: crops hold " + t
                        + " labelled images, too few for a validation split; give at least two labelled crops per identity");
            }
            return new Split(Arrays.copyOf(training, t), Arrays.copyOf(validation, v), heldOut);
        }
    }
}
