package dev.shoal.trainer;

import java.util.Arrays;
import java.util.Random;

/**
 * k-means on embeddings (row-major [points, dimensions]), the silhouette score of a clustering, and
 * the softmax scale of an isotropic Gaussian mixture fitted to it. Pure Java: the embeddings are a
 * few thousand points of a few dimensions.
 *
 * @param centroids  row-major [clusters, dimensions]
 * @param assignment the cluster of each point
 * @param clusters   number of clusters
 * @param dimensions values per point
 */
record EmbeddingClusters(float[] centroids, int[] assignment, int clusters, int dimensions) {

    private static final int MAX_ITERATIONS = 100;
    /** Floor of the per-dimension variance, so a collapsed clustering still gives a finite scale. */
    private static final double MIN_VARIANCE = 1e-6;

    /**
     * Lloyd's k-means from {@code seeds} ([clusters, dimensions]; null for k-means++ seeding with
     * {@code random}), until no point changes cluster. A cluster left empty keeps its centroid.
     */
    static EmbeddingClusters kMeans(float[] points, int dimensions, int clusters, float[] seeds, Random random) {
        int n = points.length / dimensions;
        float[] centroids = seeds != null ? seeds.clone() : kMeansPlusPlus(points, dimensions, clusters, random);
        int[] assignment = new int[n];
        Arrays.fill(assignment, -1);
        double[] sums = new double[clusters * dimensions];
        int[] counts = new int[clusters];
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int nearest = nearest(points, i, centroids, dimensions, clusters);
                if (nearest != assignment[i]) {
                    assignment[i] = nearest;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
            Arrays.fill(sums, 0);
            Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++) {
                int c = assignment[i];
                counts[c]++;
                for (int j = 0; j < dimensions; j++) {
                    sums[c * dimensions + j] += points[i * dimensions + j];
                }
            }
            for (int c = 0; c < clusters; c++) {
                if (counts[c] > 0) {
                    for (int j = 0; j < dimensions; j++) {
                        centroids[c * dimensions + j] = (float) (sums[c * dimensions + j] / counts[c]);
                    }
                }
            }
        }
        return new EmbeddingClusters(centroids, assignment, clusters, dimensions);
    }

    /** Arthur and Vassilvitskii's seeding: each next centroid drawn with probability proportional to D^2. */
    private static float[] kMeansPlusPlus(float[] points, int dimensions, int clusters, Random random) {
        int n = points.length / dimensions;
        float[] centroids = new float[clusters * dimensions];
        System.arraycopy(points, random.nextInt(n) * dimensions, centroids, 0, dimensions);
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int c = 1; c < clusters; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], squaredDistance(points, i, centroids, c - 1, dimensions));
                total += nearest[i];
            }
            int pick = n - 1;
            double target = random.nextDouble() * total;
            for (int i = 0; i < n; i++) {
                target -= nearest[i];
                if (target < 0) {
                    pick = i;
                    break;
                }
            }
            System.arraycopy(points, pick * dimensions, centroids, c * dimensions, dimensions);
        }
        return centroids;
    }

    /** The same clustering with its clusters reordered: new cluster k is old cluster {@code order[k]}. */
    EmbeddingClusters reordered(int[] order) {
        float[] moved = new float[centroids.length];
        int[] newIndex = new int[clusters];
        for (int k = 0; k < clusters; k++) {
            System.arraycopy(centroids, order[k] * dimensions, moved, k * dimensions, dimensions);
            newIndex[order[k]] = k;
        }
        int[] relabelled = new int[assignment.length];
        for (int i = 0; i < assignment.length; i++) {
            relabelled[i] = newIndex[assignment[i]];
        }
        return new EmbeddingClusters(moved, relabelled, clusters, dimensions);
    }

    /**
     * Mean silhouette (Rousseeuw) of {@code maxPoints} points spread evenly over the clustered ones:
     * for each, (b - a) / max(a, b) with a its mean distance to the rest of its cluster and b the
     * smallest mean distance to another cluster; 0 for a point alone in its cluster. In [-1, 1].
     */
    double silhouette(float[] points, int maxPoints) {
        int n = assignment.length;
        int m = Math.min(n, maxPoints);
        int[] chosen = new int[m];
        for (int k = 0; k < m; k++) {
            chosen[k] = (int) ((long) k * n / m);
        }
        double total = 0;
        double[] sums = new double[clusters];
        int[] counts = new int[clusters];
        for (int a = 0; a < m; a++) {
            Arrays.fill(sums, 0);
            Arrays.fill(counts, 0);
            int i = chosen[a];
            for (int b = 0; b < m; b++) {
                if (b != a) {
                    int j = chosen[b];
                    sums[assignment[j]] += Math.sqrt(squaredDistance(points, i, points, j, dimensions));
                    counts[assignment[j]]++;
                }
            }
            int own = assignment[i];
            if (counts[own] == 0) {
                continue;
            }
            double within = sums[own] / counts[own];
            double between = Double.POSITIVE_INFINITY;
            for (int c = 0; c < clusters; c++) {
                if (c != own && counts[c] > 0) {
                    between = Math.min(between, sums[c] / counts[c]);
                }
            }
            if (between == Double.POSITIVE_INFINITY) {
                continue;
            }
            double larger = Math.max(within, between);
            total += larger == 0 ? 0 : (between - within) / larger;
        }
        return total / m;
    }

    /**
     * 1 / (2 sigma^2), with sigma^2 the mean squared distance of a point to its centroid per
     * dimension: the softmax of {@code -scale * |e - c|^2} is then the posterior of an isotropic
     * Gaussian mixture with equal weights around the centroids.
     */
    float scale(float[] points) {
        double sum = 0;
        for (int i = 0; i < assignment.length; i++) {
            sum += squaredDistance(points, i, centroids, assignment[i], dimensions);
        }
        double variance = Math.max(MIN_VARIANCE, sum / ((double) assignment.length * dimensions));
        return (float) (1 / (2 * variance));
    }

    private static int nearest(float[] points, int i, float[] centroids, int dimensions, int clusters) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < clusters; c++) {
            double d = squaredDistance(points, i, centroids, c, dimensions);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    static double squaredDistance(float[] a, int i, float[] b, int j, int dimensions) {
        double sum = 0;
        for (int k = 0; k < dimensions; k++) {
            double d = a[i * dimensions + k] - b[j * dimensions + k];
            sum += d * d;
        }
        return sum;
    }
}
