package dev.shoal.trainer;

import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark (docs/BENCHMARKS.md), not a test: time from the first global fragment to a model at
 * >= 99% held-out single-image accuracy, per training method, with the trainer service's settings
 * (light network, batches of 32 at 0.003, at most 25 epochs, patience 3).
 *
 * <p>Arena crops as the segmenter cuts them ({@link ArenaCrops}); a fragment is a run of frames in
 * which one animal is seen alone, a global fragment a run of frames in which all are, holding the
 * fragments that span it (as the segmenter defines them). The global fragments of the first
 * {@code frames} frames go into a {@link GlobalFragmentStore}; the accumulator then steps, and after
 * each step the model is scored on 1000 crops per animal from the video's last 1300 frames (scoring
 * time is not counted). Arguments: animals, frames with global fragments, frames of the video (at
 * least 1300 more; the experiment's 5900 reuses its cached crops), methods (classic,pairwise,contrastive), and
 * optionally {@code stop-at-99} to stop a method's accumulation at its first model at >= 99%.
 */
public final class AccumulationBenchmark {

    private static final int CROP = 52;
    private static final int TEST = 1000;
    private static final int TEST_FRAMES = 1300;

    private AccumulationBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int animals = Integer.parseInt(args[0]);
        int globalFrames = Integer.parseInt(args[1]);
        int frames = Integer.parseInt(args[2]);
        String[] methods = args[3].split(",");
        boolean stopAt99 = args.length > 4 && args[4].equals("stop-at-99");
        if (frames < globalFrames + TEST_FRAMES) {
            throw new IllegalArgumentException("the video needs " + TEST_FRAMES + " frames after the global fragments'");
        }
        ArenaCrops arena = ArenaCrops.load(animals, frames, animals <= 10 ? 640 : 1024, 1, CROP,
                Path.of("target", "arena-crops"));
        LabelledCrops test = new LabelledCrops(CROP, animals);
        int[] counts = new int[animals];
        for (int f = frames - TEST_FRAMES; f < frames; f++) {
            for (int a = 0; a < animals; a++) {
                if (arena.crop(f, a) != null && counts[a] < TEST) {
                    test.add(arena.crop(f, a), a);
                    counts[a]++;
                }
            }
        }
        Map<Long, Integer> truth = new HashMap<>();
        List<GlobalFragment> globals = arena.globalFragments(globalFrames, truth);
        long globalImages = globals.stream().flatMap(g -> g.getFragmentsList().stream()).distinct()
                .mapToLong(IndividualFragment::getCropsCount).sum();
        System.out.printf(Locale.ROOT, "%d animals: %d global fragments in %d frames, %d fragments, %d images;"
                        + " test %d images%n", animals, globals.size(), globalFrames, truth.size(), globalImages, test.size());

        for (String name : methods) {
            TrainingMethod method = TrainingMethod.valueOf(name.toUpperCase(Locale.ROOT));
            TrainingOptions training = TrainingOptions.defaults().withBatchSize(32).withLearningRate(3e-3f)
                    .withMaxEpochs(25).withPatience(3).withMethod(method);
            Path directory = Files.createTempDirectory("accumulation-benchmark");
            try (GlobalFragmentStore store = GlobalFragmentStore.create(directory.resolve("s"), CROP, 1L << 31);
                 IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP,
                         IdentityAccumulator.Options.defaults(training, IdentityNetwork.Architecture.LIGHT), null)) {
                globals.forEach(store::add);
                try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                    double clock = 0;
                    double trainingSeconds = 0;
                    long trainedImages = 0;
                    Double reached = null;
                    int steps = 0;
                    while (true) {
                        long start = System.nanoTime();
                        IdentityAccumulator.Step step = accumulator.step(snapshot);
                        clock += (System.nanoTime() - start) / 1e9;
                        if (!step.trained()) {
                            break;
                        }
                        steps++;
                        TrainingReport report = step.report();
                        trainingSeconds += report.seconds();
                        trainedImages += Math.round(report.imagesPerSecond() * report.seconds());
                        double accuracy = accuracy(accumulator, test, truth, animals);
                        System.out.printf(Locale.ROOT, "%s step %d: %.1f s since the first global fragment, %d of %d"
                                        + " images accepted, %d epochs at %.0f images/s, held-out accuracy %.4f%n", name,
                                steps, clock, step.acceptedImages(), step.storedImages(), report.epochs(),
                                report.imagesPerSecond(), accuracy);
                        if (reached == null && accuracy >= 0.99) {
                            reached = clock;
                        }
                        if (accumulator.finished(snapshot) || (stopAt99 && reached != null)) {
                            break;
                        }
                    }
                    System.out.printf(Locale.ROOT, "%s: >= 99%% after %s s; accumulation ended after %.1f s, %d steps;"
                                    + " training %.0f images/s overall%n", name,
                            reached == null ? "never" : String.format(Locale.ROOT, "%.1f", reached), clock, steps,
                            trainedImages / Math.max(1e-9, trainingSeconds));
                }
            } finally {
                deleteTree(directory);
            }
        }
    }

    /** Accuracy with each label read as the true identity of the first global fragment's fragment that got it. */
    private static double accuracy(IdentityAccumulator accumulator, LabelledCrops test, Map<Long, Integer> truth,
                                   int animals) {
        int[] identityOfLabel = new int[animals];
        Arrays.fill(identityOfLabel, -1);
        accumulator.identities().forEach((fragment, label) -> {
            if (identityOfLabel[label] < 0) {
                identityOfLabel[label] = truth.get(fragment);
            }
        });
        return IdentityAccumulatorTest.accuracy(accumulator.model(), test, identityOfLabel);
    }

    private static void deleteTree(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
