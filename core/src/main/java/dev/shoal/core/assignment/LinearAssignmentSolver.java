package dev.shoal.core.assignment;

import java.util.Arrays;

/**
 * Solves the rectangular linear assignment problem: given a rows x cols cost matrix in which some
 * pairs are forbidden, pick the largest possible set of allowed (row, column) pairs, each row and
 * each column used at most once, and among those sets the one of least total cost.
 *
 * <p>A pair is forbidden when its cost is NaN or +infinity. As in py-motmetrics, forbidden pairs
 * are given a finite cost so large that taking one more of them always costs more than any change
 * among allowed pairs ({@code 2 r c + 1}, with {@code r = min(rows, cols)} and {@code c} one more
 * than the largest absolute allowed cost); the square-free problem is then solved exactly and the
 * forbidden pairs dropped. Costs may be negative (maximise a score by passing its negation).
 *
 * <p>Algorithm: shortest augmenting paths with row and column potentials (the Hungarian method
 * in the Jonker-Volgenant form), one row at a time, O(r^2 c) for r rows and c columns. Written
 * here because Maven Central has no maintained rectangular solver with forbidden pairs that works
 * on a primitive array: JGraphT's Kuhn-Munkres needs a square complete graph of objects, OR-Tools
 * ships natives and integer costs. Buffers are kept between calls, so reusing one solver per
 * thread allocates nothing once it has seen its largest problem. Not thread-safe.
 */
public final class LinearAssignmentSolver {

    private double[] work = new double[0];
    private double[] rowPotential = new double[0];
    private double[] colPotential = new double[0];
    private double[] minSlack = new double[0];
    private int[] rowOfCol = new int[0];
    private int[] previousCol = new int[0];
    private boolean[] visited = new boolean[0];

    /**
     * Assigns rows to columns.
     *
     * @param cost      row-major costs, {@code cost[row * cols + col]}; NaN or +infinity forbids the pair
     * @param rows      number of rows
     * @param cols      number of columns
     * @param colOfRow  output, at least {@code rows} long: the column given to each row, or -1
     * @return the number of rows that were given a column
     * @throws IllegalArgumentException when a cost is -infinity or the arrays are too short
     */
    public int solve(double[] cost, int rows, int cols, int[] colOfRow) {
        if (rows < 0 || cols < 0 || cost.length < (long) rows * cols || colOfRow.length < rows) {
            throw new IllegalArgumentException("cost must hold rows*cols = " + rows + "*" + cols
                    + " values and colOfRow " + rows + "; got " + cost.length + " and " + colOfRow.length);
        }
        Arrays.fill(colOfRow, 0, rows, -1);
        double largest = -1;
        for (int k = 0; k < rows * cols; k++) {
            double c = cost[k];
            if (c == Double.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException("cost[" + k + "] is -infinity; forbid a pair with +infinity or NaN");
            }
            if (isAllowed(c)) {
                largest = Math.max(largest, Math.abs(c));
            }
        }
        if (largest < 0) {
            return 0;
        }
        boolean transposed = rows > cols;
        int n = transposed ? cols : rows;
        int m = transposed ? rows : cols;
        double forbiddenCost = 2.0 * n * (largest + 1) + 1;
        ensureCapacity(n, m);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double c = transposed ? cost[j * cols + i] : cost[i * cols + j];
                work[i * m + j] = isAllowed(c) ? c : forbiddenCost;
            }
        }
        augmentAllRows(n, m);
        int assigned = 0;
        for (int j = 1; j <= m; j++) {
            int i = rowOfCol[j] - 1;
            if (i < 0) {
                continue;
            }
            int row = transposed ? j - 1 : i;
            int col = transposed ? i : j - 1;
            if (isAllowed(cost[row * cols + col])) {
                colOfRow[row] = col;
                assigned++;
            }
        }
        return assigned;
    }

    private static boolean isAllowed(double c) {
        return !Double.isNaN(c) && c != Double.POSITIVE_INFINITY;
    }

    /** Index 0 of the column arrays is a virtual column that holds the row being augmented. */
    private void augmentAllRows(int n, int m) {
        Arrays.fill(rowPotential, 0, n + 1, 0);
        Arrays.fill(colPotential, 0, m + 1, 0);
        Arrays.fill(rowOfCol, 0, m + 1, 0);
        for (int row = 1; row <= n; row++) {
            rowOfCol[0] = row;
            int col0 = 0;
            Arrays.fill(minSlack, 0, m + 1, Double.POSITIVE_INFINITY);
            Arrays.fill(visited, 0, m + 1, false);
            do {
                visited[col0] = true;
                int i0 = rowOfCol[col0];
                double delta = Double.POSITIVE_INFINITY;
                int col1 = 0;
                int base = (i0 - 1) * m;
                for (int j = 1; j <= m; j++) {
                    if (!visited[j]) {
                        double slack = work[base + j - 1] - rowPotential[i0] - colPotential[j];
                        if (slack < minSlack[j]) {
                            minSlack[j] = slack;
                            previousCol[j] = col0;
                        }
                        if (minSlack[j] < delta) {
                            delta = minSlack[j];
                            col1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (visited[j]) {
                        rowPotential[rowOfCol[j]] += delta;
                        colPotential[j] -= delta;
                    } else {
                        minSlack[j] -= delta;
                    }
                }
                col0 = col1;
            } while (rowOfCol[col0] != 0);
            do {
                int col1 = previousCol[col0];
                rowOfCol[col0] = rowOfCol[col1];
                col0 = col1;
            } while (col0 != 0);
        }
    }

    private void ensureCapacity(int n, int m) {
        if (work.length < n * m) {
            work = new double[n * m];
        }
        if (rowPotential.length < n + 1) {
            rowPotential = new double[n + 1];
        }
        if (colPotential.length < m + 1) {
            colPotential = new double[m + 1];
            minSlack = new double[m + 1];
            rowOfCol = new int[m + 1];
            previousCol = new int[m + 1];
            visited = new boolean[m + 1];
        }
    }
}
