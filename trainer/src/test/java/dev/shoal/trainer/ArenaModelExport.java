package dev.shoal.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Not a test: trains identity networks on one arena video's crops and writes each as an ONNX file,
 * for the benchmarks that need a trained model on disk (a live session identified from its first
 * frame, {@code shoal live --model}; scoring throughput per network). Prints each network's accuracy
 * on held-out crops, so the files' networks are compared at known accuracy.
 *
 * <p>Crops are cut as the segmenter cuts them ({@link ArenaCrops}, medium difficulty). Training:
 * the first three quarters of the video, up to 300 crops per animal evenly spread, the trainer
 * service's settings (classic, batches of 32, Adam 0.003, at most 25 epochs, patience 3); test: up to
 * 500 crops per animal from the last quarter.
 *
 * <p>Arguments: animals, frames, arena side, seed, architectures (LIGHT,IDTRACKER), output directory, and
 * optionally the most epochs (default 25; fewer when the machine has no time for more).
 * Writes {@code <dir>/<architecture>-<animals>-<side>-<seed>.onnx} (temporary file, then renamed).
 */
public final class ArenaModelExport {

    private static final int CROP = IdentityNetwork.DEFAULT_CROP_SIZE;
    private static final int TRAIN_PER_ANIMAL = 300;
    private static final int TEST_PER_ANIMAL = 500;

    private ArenaModelExport() {
    }

    public static void main(String[] args) throws IOException {
        int animals = Integer.parseInt(args[0]);
        int frames = Integer.parseInt(args[1]);
        int side = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        String[] architectures = args[4].split(",");
        Path out = Files.createDirectories(Path.of(args[5]));
        int maxEpochs = args.length > 6 ? Integer.parseInt(args[6]) : 25;

        long start = System.nanoTime();
        ArenaCrops arena = ArenaCrops.load(animals, frames, side, seed, CROP, Path.of("target", "arena-crops"));
        System.out.printf(Locale.ROOT, "arena: %d animals, %dx%d, seed %d, %d frames, crops ready in %.1f s%n",
                animals, side, side, seed, frames, (System.nanoTime() - start) / 1e9);
        int split = frames * 3 / 4;
        LabelledCrops train = spread(arena, 0, split, TRAIN_PER_ANIMAL);
        LabelledCrops test = spread(arena, split, frames, TEST_PER_ANIMAL);
        System.out.printf(Locale.ROOT, "%d training crops (frames 0-%d), %d test crops (frames %d-%d)%n",
                train.size(), split - 1, test.size(), split, frames - 1);

        TrainingOptions options = TrainingOptions.defaults().withBatchSize(32).withLearningRate(3e-3f)
                .withMaxEpochs(maxEpochs).withPatience(3).withProgressPeriod(Duration.ofSeconds(30));
        for (String name : architectures) {
            IdentityNetwork.Architecture architecture = IdentityNetwork.Architecture.valueOf(name.toUpperCase(Locale.ROOT));
            IdentityNetwork network = new IdentityNetwork(architecture, CROP, animals);
            try (TrainedIdentityModel model = new IdentityTrainer(options, null).train(network, train)) {
                TrainingReport report = model.report();
                Path file = out.resolve(String.format(Locale.ROOT, "%s-%d-%d-%d.onnx",
                        architecture.name().toLowerCase(Locale.ROOT), animals, side, seed));
                Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(temporary, OnnxExporter.export(model).bytes());
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                System.out.printf(Locale.ROOT, "%s: %d epochs, %.1f s, %.0f images/s, validation accuracy %.4f,"
                                + " held-out accuracy %.4f -> %s%n", architecture, report.epochs(), report.seconds(),
                        report.imagesPerSecond(), report.validationAccuracy(), PairwiseExperiment.accuracy(model, test),
                        file);
            }
        }
    }

    /** Up to {@code perAnimal} crops of each animal, evenly spread over frames [from, to). */
    private static LabelledCrops spread(ArenaCrops arena, int from, int to, int perAnimal) {
        LabelledCrops crops = new LabelledCrops(CROP, arena.animals());
        int[] counts = new int[arena.animals()];
        for (int a = 0; a < arena.animals(); a++) {
            int available = 0;
            for (int f = from; f < to; f++) {
                if (arena.crop(f, a) != null) {
                    available++;
                }
            }
            int seen = 0;
            for (int f = from; f < to && counts[a] < perAnimal; f++) {
                if (arena.crop(f, a) == null) {
                    continue;
                }
                // Keeps crop number seen when it is the next of perAnimal evenly spaced picks.
                if ((long) seen * perAnimal / Math.max(1, available) >= counts[a]) {
                    crops.add(arena.crop(f, a), a);
                    counts[a]++;
                }
                seen++;
            }
        }
        if (Arrays.stream(counts).min().orElse(0) == 0) {
            throw new IllegalStateException("an animal has no crop in frames " + from + "-" + (to - 1));
        }
        return crops;
    }
}
