package dev.shoal.identifier;

import dev.shoal.core.BadInputException;
import dev.shoal.core.assignment.LinearAssignmentSolver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stitches a session's individual fragments into at most N identities by motion alone, as per-frame
 * trackers link tracklets: the fallback for a session that ended without any identity model, whose
 * identities would otherwise be fragment ids that restart at every crossing.
 *
 * <p>Each identified row (identity above 0) belongs to the fragment its {@code fragment} field names;
 * rows of identity 0 (crossing blobs) are left as they are. Fragments are taken in order of their
 * first frame. N identity slots each remember their last fragment's end (frame, position, velocity);
 * a slot is busy while its fragment lasts, so coexisting fragments never share an identity. The
 * fragments that start in one frame are given free slots jointly by the Hungarian algorithm
 * ({@link LinearAssignmentSolver}) on the distance between the slot's end extrapolated forward and
 * the fragment's start, averaged with the fragment's start extrapolated back to the slot's end. A
 * slot is within reach only when the straight distance from its end to the fragment's start could be
 * covered at the speed limit in the frames between them; the limit is learnt from the fragments
 * themselves (a high percentile of their frame-to-frame speeds times a factor), as
 * {@link TrajectoryPostProcessor} learns its own. A slot never used yet takes any fragment at a
 * cost a little above the one-frame reach, less for longer fragments: the first fragments seed the
 * slots, the longest ones when more than N start at once, and a fragment near a slot that just ended
 * continues it rather than opening a new one. A fragment no free slot can take keeps identity 0.
 * Pure: no Kafka. Not thread-safe.
 */
public final class FragmentStitcher {

    /**
     * @param animals          N: identities written are 1..N
     * @param speedPercentile  percentile (0-100] of the fragments' frame-to-frame speeds the limit is learnt from
     * @param speedFactor      the speed limit is the percentile times this
     * @param velocityFrames   frames at a fragment's end (and start) its velocity is measured over
     * @param predictFrames    longest extrapolation by that velocity, frames (longer gaps extrapolate this far)
     */
    public record Options(int animals, double speedPercentile, double speedFactor, int velocityFrames,
                          int predictFrames) {

        public Options {
            if (animals < 1 || !(speedPercentile > 0 && speedPercentile <= 100) || !(speedFactor >= 1)
                    || velocityFrames < 1 || predictFrames < 0) {
                throw new BadInputException("fragment stitching options: " + animals + " animals, speed percentile "
                        + speedPercentile + ", speed factor " + speedFactor + ", velocity over " + velocityFrames
                        + " frames, prediction up to " + predictFrames + " frames; need animals >= 1, percentile in"
                        + " (0, 100], factor >= 1, velocity frames >= 1, prediction frames >= 0");
            }
        }

        /**
         * The post-processor's speed limit (3 x the 99th percentile), velocity over 5 frames, extrapolated up
         * to 30 frames: on the 10-animal arena (3000 frames, fragment ids as the only identities) 14 identity
         * switches against 28 at 10 frames and 49 without extrapolation.
         */
        public static Options defaults(int animals) {
            return new Options(animals, 99, 3, 5, 30);
        }
    }

    /**
     * The stitched rows (in the input's order) and what was done.
     *
     * @param fragments       individual fragments seen
     * @param fragmentsPlaced of those, the ones given an identity
     * @param identities      identities used (at most N)
     * @param speedLimit      the learnt speed limit, pixels per frame (infinite without two consecutive rows)
     */
    public record Result(List<TrajectoryTable.Row> rows, int fragments, int fragmentsPlaced, int identities,
                         double speedLimit) {
    }

    private final Options options;
    private final LinearAssignmentSolver solver = new LinearAssignmentSolver();

    public FragmentStitcher(Options options) {
        this.options = options;
    }

    /** One individual fragment: its rows by frame. */
    private final class Fragment {
        final List<TrajectoryTable.Row> rows = new ArrayList<>();
        double startX;
        double startY;
        double endX;
        double endY;
        double startVx;
        double startVy;
        double endVx;
        double endVy;
        int identity;

        long first() {
            return rows.get(0).frame();
        }

        long last() {
            return rows.get(rows.size() - 1).frame();
        }

        void measure() {
            rows.sort(Comparator.comparingLong(TrajectoryTable.Row::frame));
            TrajectoryTable.Row a = rows.get(0);
            TrajectoryTable.Row b = rows.get(rows.size() - 1);
            startX = a.track().getX();
            startY = a.track().getY();
            endX = b.track().getX();
            endY = b.track().getY();
            int k = Math.min(options.velocityFrames(), rows.size() - 1);
            if (k > 0) {
                TrajectoryTable.Row afterStart = rows.get(k);
                TrajectoryTable.Row beforeEnd = rows.get(rows.size() - 1 - k);
                double startSpan = afterStart.frame() - a.frame();
                double endSpan = b.frame() - beforeEnd.frame();
                startVx = (afterStart.track().getX() - startX) / startSpan;
                startVy = (afterStart.track().getY() - startY) / startSpan;
                endVx = (endX - beforeEnd.track().getX()) / endSpan;
                endVy = (endY - beforeEnd.track().getY()) / endSpan;
            }
        }
    }

    /** Gives each individual fragment of {@code rows} an identity 1..N, or 0 when none could take it. */
    public Result stitch(List<TrajectoryTable.Row> rows) {
        Map<Long, Fragment> byId = new LinkedHashMap<>();
        for (TrajectoryTable.Row row : rows) {
            if (row.track().getIdentity() > 0) {
                byId.computeIfAbsent(row.track().getFragment(), f -> new Fragment()).rows.add(row);
            }
        }
        List<Fragment> fragments = new ArrayList<>(byId.values());
        fragments.forEach(Fragment::measure);
        double limit = speedLimit(fragments);
        fragments.sort(Comparator.comparingLong(Fragment::first));

        int n = options.animals();
        Fragment[] slots = new Fragment[n];
        int placed = 0;
        for (int i = 0; i < fragments.size(); ) {
            long frame = fragments.get(i).first();
            int j = i;
            while (j < fragments.size() && fragments.get(j).first() == frame) {
                j++;
            }
            placed += place(fragments.subList(i, j), slots, frame, limit);
            i = j;
        }

        List<TrajectoryTable.Row> out = new ArrayList<>(rows.size());
        for (TrajectoryTable.Row row : rows) {
            if (row.track().getIdentity() > 0) {
                int identity = byId.get(row.track().getFragment()).identity;
                out.add(new TrajectoryTable.Row(row.frame(), row.timeS(),
                        row.track().toBuilder().setIdentity(identity).build()));
            } else {
                out.add(row);
            }
        }
        int used = (int) Arrays.stream(slots).filter(s -> s != null).count();
        return new Result(out, fragments.size(), placed, used, limit);
    }

    /** Assigns the fragments starting in {@code frame} to free slots; returns how many were placed. */
    private int place(List<Fragment> starting, Fragment[] slots, long frame, double limit) {
        List<Integer> free = new ArrayList<>();
        for (int s = 0; s < slots.length; s++) {
            if (slots[s] == null || slots[s].last() < frame) {
                free.add(s);
            }
        }
        if (free.isEmpty()) {
            return 0;
        }
        int rows = starting.size();
        int cols = free.size();
        double[] cost = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            Fragment f = starting.get(r);
            for (int c = 0; c < cols; c++) {
                Fragment end = slots[free.get(c)];
                cost[r * cols + c] = end == null ? openingCost(f, limit) : continuationCost(end, f, limit);
            }
        }
        int[] colOfRow = new int[rows];
        int placed = solver.solve(cost, rows, cols, colOfRow);
        for (int r = 0; r < rows; r++) {
            if (colOfRow[r] >= 0) {
                int s = free.get(colOfRow[r]);
                slots[s] = starting.get(r);
                starting.get(r).identity = s + 1;
            }
        }
        return placed;
    }

    /**
     * Opening an unused slot costs a little more than reaching across one frame, so a fragment within
     * that of a slot's end continues it; longer fragments open slots more cheaply.
     */
    private static double openingCost(Fragment f, double limit) {
        double scale = Double.isInfinite(limit) ? 1 : limit;
        return scale * (1 + 1.0 / f.rows.size());
    }

    /** Forbidden (infinite) out of reach at the speed limit; else the mean of both extrapolations' misses. */
    private double continuationCost(Fragment end, Fragment f, double limit) {
        long gap = f.first() - end.last();
        if (Math.hypot(f.startX - end.endX, f.startY - end.endY) > limit * gap) {
            return Double.POSITIVE_INFINITY;
        }
        long t = Math.min(gap, options.predictFrames());
        double forward = Math.hypot(end.endX + end.endVx * t - f.startX, end.endY + end.endVy * t - f.startY);
        double backward = Math.hypot(f.startX - f.startVx * t - end.endX, f.startY - f.startVy * t - end.endY);
        return (forward + backward) / 2;
    }

    /** The percentile of the fragments' frame-to-frame speeds times the factor; infinite without data. */
    private double speedLimit(List<Fragment> fragments) {
        List<Double> speeds = new ArrayList<>();
        for (Fragment f : fragments) {
            for (int i = 1; i < f.rows.size(); i++) {
                TrajectoryTable.Row a = f.rows.get(i - 1);
                TrajectoryTable.Row b = f.rows.get(i);
                if (b.frame() - a.frame() == 1) {
                    speeds.add(Math.hypot(b.track().getX() - a.track().getX(), b.track().getY() - a.track().getY()));
                }
            }
        }
        if (speeds.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        double[] sorted = speeds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(options.speedPercentile() / 100 * sorted.length) - 1;
        return sorted[Math.max(0, rank)] * options.speedFactor();
    }
}
