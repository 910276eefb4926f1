package dev.shoal.trainer;

import java.util.Random;

/**
 * Synthetic identification crops: every identity carries its own faint pattern of spots on a noisy
 * body, seen at a small random rotation and shift, so only the texture tells identities apart. Half
 * the crops are turned by 180 degrees, as the segmenter's are: it aligns a body's long axis without
 * telling head from tail.
 */
final class SpottedCrops {

    private static final int SPOTS = 6;
    private static final double BACKGROUND = 110;
    private static final double NOISE = 10;
    private static final double SPOT_CONTRAST = 20;
    private static final double SPOT_SIGMA = 1.6;
    private static final double MAX_ROTATION = Math.toRadians(10);

    private final int cropSize;
    private final int classes;
    /** Per identity, per spot: x, y (pixels from the centre) and signed amplitude. */
    private final double[][][] spots;

    SpottedCrops(int cropSize, int classes, long patternSeed) {
        this.cropSize = cropSize;
        this.classes = classes;
        Random random = new Random(patternSeed);
        double reach = cropSize / 3.0;
        spots = new double[classes][SPOTS][];
        for (int c = 0; c < classes; c++) {
            for (int s = 0; s < SPOTS; s++) {
                spots[c][s] = new double[] {(random.nextDouble() * 2 - 1) * reach, (random.nextDouble() * 2 - 1) * reach,
                        random.nextBoolean() ? SPOT_CONTRAST : -SPOT_CONTRAST};
            }
        }
    }

    int cropSize() {
        return cropSize;
    }

    /** {@code perClass} images of each identity, labelled with their identity. */
    LabelledCrops generate(int perClass, long seed) {
        Random random = new Random(seed);
        LabelledCrops crops = new LabelledCrops(cropSize, classes);
        for (int i = 0; i < perClass; i++) {
            for (int c = 0; c < classes; c++) {
                crops.add(render(c, random), c);
            }
        }
        return crops;
    }

    /** The same images with labels drawn at random, so nothing links image to label. */
    static LabelledCrops withRandomLabels(LabelledCrops crops, long seed) {
        Random random = new Random(seed);
        LabelledCrops shuffled = new LabelledCrops(crops.cropSize(), crops.classes());
        for (int i = 0; i < crops.size(); i++) {
            shuffled.add(crops.crop(i), random.nextInt(crops.classes()));
        }
        return shuffled;
    }

    /** One crop of {@code identity} (0-based), drawn with {@code random}. */
    byte[] render(int identity, Random random) {
        double angle = (random.nextDouble() * 2 - 1) * MAX_ROTATION + (random.nextBoolean() ? Math.PI : 0);
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double centre = (cropSize - 1) / 2.0;
        double cx = centre + random.nextDouble() * 2 - 1;
        double cy = centre + random.nextDouble() * 2 - 1;
        double[][] placed = new double[SPOTS][];
        for (int s = 0; s < SPOTS; s++) {
            double[] spot = spots[identity][s];
            placed[s] = new double[] {cx + cos * spot[0] - sin * spot[1], cy + sin * spot[0] + cos * spot[1], spot[2]};
        }
        byte[] pixels = new byte[cropSize * cropSize];
        for (int y = 0; y < cropSize; y++) {
            for (int x = 0; x < cropSize; x++) {
                double value = BACKGROUND + random.nextGaussian() * NOISE;
                for (double[] spot : placed) {
                    double dx = x - spot[0];
                    double dy = y - spot[1];
                    value += spot[2] * Math.exp(-(dx * dx + dy * dy) / (2 * SPOT_SIGMA * SPOT_SIGMA));
                }
                pixels[y * cropSize + x] = (byte) Math.max(0, Math.min(255, Math.round(value)));
            }
        }
        return pixels;
    }
}
