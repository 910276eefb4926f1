package dev.shoal.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The experiment of issue 6 (docs/EXPERIMENTS.md), not a test: on arena crops, train the identity
 * network on 30 labelled images per animal, with or without unlabelled images used through pairs,
 * and measure single-image accuracy on 1000 held-out images per animal, and training time.
 *
 * <p>Video: frames [0, 600) give the labelled images (30 per animal, evenly spread), the next frames
 * the unlabelled ones (windows of 20 frames: each animal's crops in a window form a fragment, the
 * window's fragments a global fragment), the last 1300 frames the test images. Crops are cut as the
 * segmenter cuts them ({@link ArenaCrops}).
 *
 * <p>Arguments: animals, unlabelled images per animal (comma-separated), methods
 * (classic,pairwise,contrastive), and optionally the image budget of one pairwise or contrastive run
 * (default 120000: max epochs = budget / epoch size, at least 3) and the arena side in pixels
 * (default 640 up to 10 animals, else 1024).
 */
public final class PairwiseExperiment {

    private static final int CROP = 52;
    private static final int LABELLED = 30;
    private static final int TEST = 1000;
    private static final int LABEL_FRAMES = 600;
    private static final int TEST_FRAMES = 1300;
    private static final int WINDOW = 20;

    private PairwiseExperiment() {
    }

    public static void main(String[] args) throws IOException {
        int animals = Integer.parseInt(args[0]);
        int[] unlabelled = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        String[] methods = args[2].split(",");
        long budget = args.length > 3 ? Long.parseLong(args[3]) : 120_000;
        int side = args.length > 4 ? Integer.parseInt(args[4]) : animals <= 10 ? 640 : 1024;
        // One video for every run, long enough for 3000 unlabelled images per animal, so runs share their test images.
        int maxUnlabelled = Math.max(3000, Arrays.stream(unlabelled).max().orElse(0));
        int unlabelledFrames = (int) (maxUnlabelled * 1.3) + 100;
        int frames = LABEL_FRAMES + unlabelledFrames + TEST_FRAMES;

        long start = System.nanoTime();
        ArenaCrops arena = ArenaCrops.load(animals, frames, side, 1, CROP, Path.of("target", "arena-crops"));
        System.out.printf(Locale.ROOT, "arena: %d animals, %dx%d, %d frames, crops ready in %.1f s%n", animals, side, side,
                frames, (System.nanoTime() - start) / 1e9);

        LabelledCrops test = new LabelledCrops(CROP, animals);
        int[] testCounts = new int[animals];
        for (int f = LABEL_FRAMES + unlabelledFrames; f < frames; f++) {
            for (int a = 0; a < animals; a++) {
                if (arena.crop(f, a) != null && testCounts[a] < TEST) {
                    test.add(arena.crop(f, a), a);
                    testCounts[a]++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "test images per animal: %d..%d%n", Arrays.stream(testCounts).min().orElse(0),
                Arrays.stream(testCounts).max().orElse(0));
        System.out.println("animals | method | labelled/animal | unlabelled/animal | unlabelled fragments | epochs"
                + " | training s | images/s | test accuracy");

        for (String name : methods) {
            TrainingMethod method = TrainingMethod.valueOf(name.toUpperCase(Locale.ROOT));
            for (int u : unlabelled) {
                if (method == TrainingMethod.CLASSIC && u > 0) {
                    continue; // cross-entropy alone never looks at unlabelled images
                }
                ExperimentImages images = new ExperimentImages(CROP, animals);
                addLabelled(arena, animals, images);
                int[] got = addUnlabelled(arena, animals, u, unlabelledFrames, images);
                long epochImages = Math.max(LABELLED * animals, images.size() - (long) LABELLED * animals);
                int maxEpochs = method == TrainingMethod.CLASSIC ? 100
                        : (int) Math.max(3, Math.min(100, budget / epochImages));
                TrainingOptions options = TrainingOptions.defaults().withBatchSize(32).withLearningRate(3e-3f)
                        .withMaxEpochs(maxEpochs).withPatience(10).withMethod(method);
                IdentityNetwork network = IdentityNetwork.light(CROP, animals).forMethod(method);
                try (TrainedIdentityModel model = new IdentityTrainer(options, null).train(network, images)) {
                    TrainingReport report = model.report();
                    System.out.printf(Locale.ROOT, "%d | %s | %d | %d (%d..%d) | %d | %d of max %d | %.1f | %.0f | %.4f%n",
                            animals, name, LABELLED, u, got[0], got[1], images.fragments(), report.epochs(), maxEpochs,
                            report.seconds(), report.imagesPerSecond(), accuracy(model, test));
                }
            }
        }
    }

    private static void addLabelled(ArenaCrops arena, int animals, ExperimentImages images) {
        for (int a = 0; a < animals; a++) {
            List<byte[]> own = new ArrayList<>();
            for (int f = 0; f < LABEL_FRAMES; f++) {
                if (arena.crop(f, a) != null) {
                    own.add(arena.crop(f, a));
                }
            }
            if (own.size() < LABELLED) {
                throw new IllegalStateException("animal " + a + " has only " + own.size() + " crops in the labelled frames");
            }
            for (int k = 0; k < LABELLED; k++) {
                images.addLabelled(own.get(k * own.size() / LABELLED), a);
            }
        }
    }

    /** Adds windows until every animal has {@code perAnimal} unlabelled crops; returns the fewest and most per animal. */
    private static int[] addUnlabelled(ArenaCrops arena, int animals, int perAnimal, int frames, ExperimentImages images) {
        int[] counts = new int[animals];
        if (perAnimal == 0) {
            return new int[] {0, 0};
        }
        for (int from = LABEL_FRAMES; from < LABEL_FRAMES + frames && Arrays.stream(counts).min().getAsInt() < perAnimal;
             from += WINDOW) {
            List<List<byte[]>> fragments = new ArrayList<>();
            for (int a = 0; a < animals; a++) {
                List<byte[]> own = new ArrayList<>();
                for (int f = from; f < from + WINDOW && counts[a] + own.size() < perAnimal; f++) {
                    if (arena.crop(f, a) != null) {
                        own.add(arena.crop(f, a));
                    }
                }
                if (own.size() >= 2) {
                    fragments.add(own);
                    counts[a] += own.size();
                }
            }
            if (fragments.size() >= 2) {
                images.addGlobal(fragments);
            }
        }
        return new int[] {Arrays.stream(counts).min().getAsInt(), Arrays.stream(counts).max().getAsInt()};
    }

    static double accuracy(TrainedIdentityModel model, LabelledCrops test) {
        int pixels = CROP * CROP;
        int classes = test.classes();
        long correct = 0;
        for (int from = 0; from < test.size(); from += 256) {
            int n = Math.min(256, test.size() - from);
            float[] inputs = new float[n * pixels];
            for (int i = 0; i < n; i++) {
                test.scaleInto(from + i, inputs, i * pixels);
            }
            float[] logits = model.logits(inputs, n);
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (logits[i * classes + c] > logits[i * classes + best]) {
                        best = c;
                    }
                }
                if (best == test.label(from + i)) {
                    correct++;
                }
            }
        }
        return (double) correct / test.size();
    }
}
