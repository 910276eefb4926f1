package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingClustersTest {

    private static final float[][] CENTRES = {{0, 0}, {10, 0}, {0, 10}};

    @Test
    void kMeansFindsSeparatedGroupsWithAHighSilhouette() {
        float[] points = groups(60, 1, new Random(3));
        EmbeddingClusters clusters = EmbeddingClusters.kMeans(points, 2, 3, null, new Random(5));
        for (int g = 0; g < 3; g++) {
            int cluster = clusters.assignment()[g * 60];
            for (int i = 0; i < 60; i++) {
                assertEquals(cluster, clusters.assignment()[g * 60 + i], "group " + g + " point " + i);
            }
            assertEquals(CENTRES[g][0], clusters.centroids()[cluster * 2], 0.5);
            assertEquals(CENTRES[g][1], clusters.centroids()[cluster * 2 + 1], 0.5);
        }
        assertNotEquals(clusters.assignment()[0], clusters.assignment()[60]);
        assertNotEquals(clusters.assignment()[60], clusters.assignment()[120]);
        assertTrue(clusters.silhouette(points, 1000) > 0.8, "silhouette " + clusters.silhouette(points, 1000));
    }

    @Test
    void aClusteringThatIgnoresTheGroupsHasASilhouetteNearZero() {
        float[] points = groups(60, 1, new Random(3));
        Random random = new Random(8);
        int[] assignment = new int[180];
        for (int i = 0; i < assignment.length; i++) {
            assignment[i] = random.nextInt(3);
        }
        double silhouette = new EmbeddingClusters(new float[6], assignment, 3, 2).silhouette(points, 1000);
        assertTrue(Math.abs(silhouette) < 0.15, "silhouette " + silhouette);
    }

    @Test
    void seedsNumberTheClusters() {
        float[] points = groups(30, 1, new Random(3));
        float[] seeds = {0, 9, 1, 1, 9, 0};
        EmbeddingClusters clusters = EmbeddingClusters.kMeans(points, 2, 3, seeds, new Random(5));
        assertEquals(1, clusters.assignment()[0], "the group at (0, 0) is nearest the second seed");
        assertEquals(2, clusters.assignment()[30], "the group at (10, 0) is nearest the third seed");
        assertEquals(0, clusters.assignment()[60], "the group at (0, 10) is nearest the first seed");
    }

    @Test
    void scaleIsThatOfAGaussianMixtureFittedToTheClusters() {
        // Points at distance 1 from their centroid, in 2 dimensions: variance 1/2 per dimension, scale 1 / (2 * 1/2).
        float[] points = {1, 0, -1, 0, 0, 1, 0, -1};
        EmbeddingClusters clusters = new EmbeddingClusters(new float[2], new int[4], 1, 2);
        assertEquals(1f, clusters.scale(points), 1e-6f);
    }

    @Test
    void reorderingMovesCentroidsAndAssignmentsTogether() {
        EmbeddingClusters clusters = new EmbeddingClusters(new float[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 2, 2}, 3, 2);
        EmbeddingClusters reordered = clusters.reordered(new int[] {2, 0, 1});
        assertArrayEquals(new float[] {2, 2, 0, 0, 1, 1}, reordered.centroids());
        assertArrayEquals(new int[] {1, 2, 0, 0}, reordered.assignment());
    }

    /** {@code perGroup} points around each centre, Gaussian with this spread, group by group. */
    private static float[] groups(int perGroup, double spread, Random random) {
        float[] points = new float[CENTRES.length * perGroup * 2];
        for (int g = 0; g < CENTRES.length; g++) {
            for (int i = 0; i < perGroup; i++) {
                int p = (g * perGroup + i) * 2;
                points[p] = (float) (CENTRES[g][0] + random.nextGaussian() * spread);
                points[p + 1] = (float) (CENTRES[g][1] + random.nextGaussian() * spread);
            }
        }
        return points;
    }
}
