package dev.shoal.core.assignment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearAssignmentSolverTest {

    /** The best (most pairs, then least cost) over every partial one-to-one assignment. */
    private static double[] bruteForce(double[] cost, int rows, int cols) {
        double[] best = {-1, Double.POSITIVE_INFINITY};
        search(cost, rows, cols, 0, new boolean[cols], 0, 0, best);
        return best;
    }

    private static void search(double[] cost, int rows, int cols, int row, boolean[] usedCols,
                               int pairs, double total, double[] best) {
        if (row == rows) {
            if (pairs > best[0] || (pairs == best[0] && total < best[1])) {
                best[0] = pairs;
                best[1] = total;
            }
            return;
        }
        search(cost, rows, cols, row + 1, usedCols, pairs, total, best);
        for (int col = 0; col < cols; col++) {
            double c = cost[row * cols + col];
            if (!usedCols[col] && Double.isFinite(c)) {
                usedCols[col] = true;
                search(cost, rows, cols, row + 1, usedCols, pairs + 1, total + c, best);
                usedCols[col] = false;
            }
        }
    }

    @Test
    void matchesBruteForceOnRandomRectangularMatricesWithForbiddenPairs() {
        Random random = new Random(42);
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        for (int trial = 0; trial < 3000; trial++) {
            int rows = random.nextInt(7);
            int cols = random.nextInt(7);
            double forbiddenShare = random.nextDouble() * 0.8;
            boolean integers = random.nextBoolean();
            double[] cost = new double[rows * cols];
            for (int k = 0; k < cost.length; k++) {
                double value = integers ? random.nextInt(7) - 2 : random.nextGaussian() * 100;
                cost[k] = random.nextDouble() < forbiddenShare
                        ? (random.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY) : value;
            }
            int[] colOfRow = new int[rows];
            int pairs = solver.solve(cost, rows, cols, colOfRow);

            double total = 0;
            boolean[] usedCols = new boolean[cols];
            int counted = 0;
            for (int row = 0; row < rows; row++) {
                int col = colOfRow[row];
                if (col >= 0) {
                    assertEquals(false, usedCols[col], "column used twice in trial " + trial);
                    usedCols[col] = true;
                    assertEquals(true, Double.isFinite(cost[row * cols + col]), "forbidden pair in trial " + trial);
                    total += cost[row * cols + col];
                    counted++;
                }
            }
            double[] best = bruteForce(cost, rows, cols);
            assertEquals(counted, pairs, "reported pair count in trial " + trial);
            assertEquals((int) best[0], pairs, "pair count in trial " + trial);
            if (pairs > 0) {
                assertEquals(best[1], total, 1e-9, "total cost in trial " + trial);
            }
        }
    }

    @Test
    void findsTheKnownOptimumOfAClassicSquareCase() {
        double[] cost = {
                70, 40, 20, 55,
                65, 60, 45, 90,
                30, 45, 50, 75,
                25, 30, 55, 40};
        int[] colOfRow = new int[4];
        assertEquals(4, new LinearAssignmentSolver().solve(cost, 4, 4, colOfRow));
        // Total 20 + 60 + 30 + 40 = 150, the only optimum.
        assertArrayEquals(new int[] {2, 1, 0, 3}, colOfRow);
    }

    @Test
    void prefersMorePairsOverCheaperFewerPairs() {
        // Row 0 alone would take column 0 (cost 0), but then row 1 gets nothing.
        double[] cost = {0, 100, 1, Double.POSITIVE_INFINITY};
        int[] colOfRow = new int[2];
        assertEquals(2, new LinearAssignmentSolver().solve(cost, 2, 2, colOfRow));
        assertArrayEquals(new int[] {1, 0}, colOfRow);
    }

    @Test
    void leavesEveryRowUnassignedWhenAllPairsAreForbidden() {
        double[] cost = {Double.NaN, Double.POSITIVE_INFINITY, Double.NaN};
        int[] colOfRow = {7, 7, 7};
        assertEquals(0, new LinearAssignmentSolver().solve(cost, 3, 1, colOfRow));
        assertArrayEquals(new int[] {-1, -1, -1}, colOfRow);
    }

    @Test
    void rejectsNegativeInfinity() {
        double[] cost = {Double.NEGATIVE_INFINITY};
        assertThrows(IllegalArgumentException.class, () -> new LinearAssignmentSolver().solve(cost, 1, 1, new int[1]));
    }

    @Test
    void reusesItsBuffersAcrossProblemsOfDifferentSizes() {
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        int[] colOfRow = new int[3];
        assertEquals(3, solver.solve(new double[] {1, 2, 3, 2, 4, 6, 3, 6, 9}, 3, 3, colOfRow));
        assertArrayEquals(new int[] {2, 1, 0}, colOfRow);
        assertEquals(1, solver.solve(new double[] {5, 1}, 1, 2, colOfRow));
        assertEquals(1, colOfRow[0]);
    }
}
