package dev.shoal.ingest.arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArenaGeneratorTest {

    private static ArenaSettings settings(int animals, Difficulty difficulty, long seed) {
        return new ArenaSettings(animals, 0, 320, 320, 30, seed, difficulty, 24);
    }

    @Test
    void eachTruthPointSitsOnItsAnimalsDarkBodyAndApartAnimalsAreThresholdBlobsCentredOnTheTruth() {
        try (ArenaGenerator arena = new ArenaGenerator(settings(4, Difficulty.EASY, 3))) {
            for (int t = 0; t < 40; t++) {
                ArenaGenerator.ArenaFrame frame = arena.next();
                for (TruthRow row : frame.truth()) {
                    int x = (int) Math.round(row.x());
                    int y = (int) Math.round(row.y());
                    int atTruth = frame.gray()[y * 320 + x] & 0xFF;
                    assertTrue(atTruth < 120, "frame " + t + " animal " + row.identity() + ": grey " + atTruth);
                    if (!row.touching()) {
                        double[] centroid = darkCentroidAround(frame.gray(), 320, x, y, 18);
                        assertEquals(row.x(), centroid[0], 1.0, "x of animal " + row.identity());
                        assertEquals(row.y(), centroid[1], 1.0, "y of animal " + row.identity());
                    }
                }
            }
        }
    }

    /** Centroid of the pixels below mid-grey within a window: the body, for an animal alone. */
    private static double[] darkCentroidAround(byte[] gray, int width, int cx, int cy, int half) {
        double sx = 0;
        double sy = 0;
        double n = 0;
        for (int y = Math.max(0, cy - half); y <= Math.min(width - 1, cy + half); y++) {
            for (int x = Math.max(0, cx - half); x <= Math.min(width - 1, cx + half); x++) {
                int v = gray[y * width + x] & 0xFF;
                if (v < 125) {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        return new double[] {sx / n, sy / n};
    }

    @Test
    void touchingFlagsAgreeWithTheDistanceBetweenBodies() {
        int touching = 0;
        try (ArenaGenerator arena = new ArenaGenerator(settings(6, Difficulty.HARD, 5))) {
            for (int t = 0; t < 400; t++) {
                List<TruthRow> rows = arena.next().truth();
                for (TruthRow a : rows) {
                    double nearest = Double.MAX_VALUE;
                    for (TruthRow b : rows) {
                        if (b != a) {
                            nearest = Math.min(nearest, Math.hypot(a.x() - b.x(), a.y() - b.y()));
                        }
                    }
                    if (a.touching()) {
                        touching++;
                        // Nose to tail, plus anti-aliased edges and the 8-neighbourhood that counts as touching.
                        assertTrue(nearest <= 24 * 1.25, "touching bodies are within a body length: " + nearest);
                    } else {
                        assertTrue(nearest > 24 / 4.0 * 0.9, "apart bodies are over a body width apart: " + nearest);
                    }
                }
            }
        }
        assertTrue(touching > 0, "hard arena has encounters");
    }

    @Test
    void mediumArenaBringsEveryAnimalIntoContactWithinAFewHundredFrames() {
        int animals = 6;
        boolean[] touched = new boolean[animals];
        try (ArenaGenerator arena = new ArenaGenerator(new ArenaSettings(animals, 0, 400, 400, 30, 11,
                Difficulty.MEDIUM, 24))) {
            for (int t = 0; t < 600; t++) {
                for (TruthRow row : arena.next().truth()) {
                    touched[row.identity()] |= row.touching();
                }
            }
        }
        for (int i = 0; i < animals; i++) {
            assertTrue(touched[i], "animal " + i + " met another");
        }
    }

    @Test
    void sameSeedGivesTheSameFramesAndTruthAndAnotherSeedDoesNot() {
        try (ArenaGenerator a = new ArenaGenerator(settings(3, Difficulty.MEDIUM, 9));
             ArenaGenerator b = new ArenaGenerator(settings(3, Difficulty.MEDIUM, 9));
             ArenaGenerator c = new ArenaGenerator(settings(3, Difficulty.MEDIUM, 10))) {
            for (int t = 0; t < 20; t++) {
                ArenaGenerator.ArenaFrame fa = a.next();
                ArenaGenerator.ArenaFrame fb = b.next();
                ArenaGenerator.ArenaFrame fc = c.next();
                assertArrayEquals(fa.gray(), fb.gray());
                assertEquals(fa.truth(), fb.truth());
                assertNotEquals(fa.truth(), fc.truth());
            }
        }
    }

    @Test
    void animalsDifferOnlyInPatternNotInMeanBodyIntensity() {
        int animals = 5;
        try (ArenaGenerator arena = new ArenaGenerator(new ArenaSettings(animals, 0, 400, 400, 30, 4,
                Difficulty.EASY, 40))) {
            double[] sums = new double[animals];
            int[] counts = new int[animals];
            double[] centreSums = new double[animals];
            for (int t = 0; t < 30; t++) {
                ArenaGenerator.ArenaFrame frame = arena.next();
                for (TruthRow row : frame.truth()) {
                    if (row.touching()) {
                        continue;
                    }
                    int cx = (int) Math.round(row.x());
                    int cy = (int) Math.round(row.y());
                    for (int y = cy - 24; y <= cy + 24; y++) {
                        for (int x = cx - 24; x <= cx + 24; x++) {
                            int v = frame.gray()[y * 400 + x] & 0xFF;
                            if (v < 110) {
                                sums[row.identity()] += v;
                                counts[row.identity()]++;
                            }
                        }
                    }
                    centreSums[row.identity()] += frame.gray()[cy * 400 + cx] & 0xFF;
                }
            }
            double min = Double.MAX_VALUE;
            double max = 0;
            for (int i = 0; i < animals; i++) {
                double mean = sums[i] / counts[i];
                min = Math.min(min, mean);
                max = Math.max(max, mean);
            }
            assertTrue((max - min) / max < 0.02, "mean body intensities " + min + ".." + max);
            double centreMin = Double.MAX_VALUE;
            double centreMax = 0;
            for (double c : centreSums) {
                centreMin = Math.min(centreMin, c);
                centreMax = Math.max(centreMax, c);
            }
            assertTrue(centreMax - centreMin > 0, "but their patterns differ");
        }
    }
}
