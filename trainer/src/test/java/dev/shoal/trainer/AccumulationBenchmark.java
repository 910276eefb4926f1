package dev.shoal.trainer;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * least 1300 more; the experiment's 5900 reuses its cached crops), methods (classic,pairwise), and
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
        List<GlobalFragment> globals = globalFragments(arena, globalFrames, truth);
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

    /** Global fragments as the segmenter makes them: maximal runs of frames in which every animal is seen alone. */
    private static List<GlobalFragment> globalFragments(ArenaCrops arena, int frames, Map<Long, Integer> truth) {
        int animals = arena.animals();
        // Fragment id per (frame, animal): runs of consecutive frames with a crop.
        long[][] fragmentOf = new long[frames][animals];
        Map<Long, List<byte[]>> crops = new HashMap<>();
        Map<Long, long[]> spans = new HashMap<>();
        long next = 1;
        for (int a = 0; a < animals; a++) {
            long current = 0;
            for (int f = 0; f < frames; f++) {
                byte[] crop = arena.crop(f, a);
                if (crop == null) {
                    current = 0;
                    continue;
                }
                if (current == 0) {
                    current = next++;
                    truth.put(current, a);
                    crops.put(current, new ArrayList<>());
                    spans.put(current, new long[] {f, f});
                }
                crops.get(current).add(crop);
                spans.get(current)[1] = f;
                fragmentOf[f][a] = current;
            }
        }
        List<GlobalFragment> globals = new ArrayList<>();
        int f = 0;
        while (f < frames) {
            if (!allSeen(fragmentOf[f])) {
                f++;
                continue;
            }
            int first = f;
            while (f + 1 < frames && allSeen(fragmentOf[f + 1]) && sameFragments(fragmentOf[f], fragmentOf[f + 1])) {
                f++;
            }
            GlobalFragment.Builder global = GlobalFragment.newBuilder().setSession("bench").setId(globals.size() + 1)
                    .setFirstFrame(first).setLastFrame(f);
            for (long id : fragmentOf[first]) {
                IndividualFragment.Builder fragment = global.addFragmentsBuilder().setId(id).setCropSize(CROP)
                        .setFirstFrame(spans.get(id)[0]).setLastFrame(spans.get(id)[1]);
                crops.get(id).forEach(c -> fragment.addCrops(ByteString.copyFrom(c)));
            }
            globals.add(global.build());
            f++;
        }
        globals.sort(Comparator.comparingLong(GlobalFragment::getFirstFrame));
        return globals;
    }

    private static boolean allSeen(long[] fragments) {
        for (long id : fragments) {
            if (id == 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameFragments(long[] a, long[] b) {
        return Arrays.equals(a, b);
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
