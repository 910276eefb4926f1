package dev.shoal.identifier;

import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.Track;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Repairs a finished session's trajectories before they are written (after idtracker.ai's
 * post-processing), in this order:
 * <ol>
 * <li><b>Duplicated identities</b>: when one identity has several rows in a frame, the row nearest to
 * where the identity's neighbouring single rows put it is kept; the others lose their identity (0).</li>
 * <li><b>Impossible jumps</b>: the speed limit is learnt from the data, a high percentile of the
 * identities' frame-to-frame speeds times a factor. A run of rows reached faster than that from the
 * previous good row, after which the path comes back within the limit, is dropped (identity 0) when it
 * is shorter than the contiguous run before it (the shorter side of a jump is the fault).</li>
 * <li><b>Gaps</b> (missing frames, including those the previous steps opened) are filled by linear
 * interpolation up to {@link Options#maxGapFrames}. Animals inside a crossing blob (a position with
 * identity 0) are placed so that the mean of the crossing's members lies on the crossing's centroid:
 * each member's interpolated position is shifted by the same offset. The centroid alone is a poor
 * position for any one member (half an inter-animal distance off), the interpolation alone ignores
 * where the group went; together they keep both. A gap spent wholly inside crossings is bridged up to
 * {@link Options#maxCrossingSeconds}, even when longer than a plain gap may be.</li>
 * </ol>
 * Added rows are flagged {@code interpolated}; those placed by a crossing carry its fragment id.
 * Pure: no Kafka. Not thread-safe.
 */
public final class TrajectoryPostProcessor {

    /**
     * @param maxGapFrames         longest run of missing frames filled by interpolation
     * @param maxCrossingSeconds   longest run of missing frames, in seconds of the data's own frame rate
     *                             (from its media times; 1 fps when they carry none), bridged when the
     *                             identity is inside crossings throughout
     * @param speedPercentile      percentile (0-100] of frame-to-frame speeds the limit is learnt from
     * @param speedFactor          the speed limit is the percentile times this
     * @param crossingGateFactor   a crossing holds an identity when its centroid is within this many times
     *                             the median entry/exit distance of the estimated position
     */
    public record Options(int maxGapFrames, double maxCrossingSeconds, double speedPercentile, double speedFactor,
                          double crossingGateFactor) {

        public Options {
            if (maxGapFrames < 0 || !(maxCrossingSeconds >= 0) || !(speedPercentile > 0 && speedPercentile <= 100)
                    || !(speedFactor >= 1) || !(crossingGateFactor > 0)) {
                throw new BadInputException("trajectory post-processing options: max gap " + maxGapFrames
                        + " frames, max crossing " + maxCrossingSeconds + " s, speed percentile " + speedPercentile
                        + ", speed factor " + speedFactor + ", crossing gate factor " + crossingGateFactor
                        + "; need gap >= 0, crossing >= 0, percentile in (0, 100], factor >= 1, gate factor > 0");
            }
        }

        /**
         * Gaps up to {@code maxGapFrames}, crossings up to 2 s, speed limit 3 x the 99th percentile,
         * crossing gate 3 x the median entry/exit distance (the best of 2-5 on the arena sessions).
         */
        public static Options defaults(int maxGapFrames) {
            return new Options(maxGapFrames, 2.0, 99, 3, 3);
        }
    }

    /** What was repaired. */
    public record Repairs(double speedLimit, int duplicatesResolved, int jumpRowsDropped, int rowsInterpolated,
                          int rowsPlacedByCrossings) {
    }

    /** The repaired rows, by frame then identity, and what was done. */
    public record Result(List<TrajectoryTable.Row> rows, Repairs repairs) {
    }

    private static final Comparator<TrajectoryTable.Row> BY_FRAME_THEN_IDENTITY =
            Comparator.comparingLong(TrajectoryTable.Row::frame).thenComparingLong(r -> r.track().getIdentity());

    private final Options options;

    public TrajectoryPostProcessor(Options options) {
        this.options = options;
    }

    /** Repairs {@code rows} (any order); the input is not modified. */
    public Result process(List<TrajectoryTable.Row> rows) {
        List<TrajectoryTable.Row> unidentified = new ArrayList<>();
        Map<Long, List<TrajectoryTable.Row>> paths = new TreeMap<>();
        for (TrajectoryTable.Row row : rows) {
            if (row.track().getIdentity() > 0) {
                paths.computeIfAbsent(row.track().getIdentity(), k -> new ArrayList<>()).add(row);
            } else {
                unidentified.add(row);
            }
        }
        int duplicates = 0;
        for (Map.Entry<Long, List<TrajectoryTable.Row>> path : paths.entrySet()) {
            path.getValue().sort(Comparator.comparingLong(TrajectoryTable.Row::frame));
            List<TrajectoryTable.Row> kept = resolveDuplicates(path.getValue(), unidentified);
            duplicates += path.getValue().size() - kept.size();
            path.setValue(kept);
        }
        double speedLimit = speedLimit(paths.values());
        int dropped = 0;
        for (Map.Entry<Long, List<TrajectoryTable.Row>> path : paths.entrySet()) {
            List<TrajectoryTable.Row> kept = dropJumps(path.getValue(), speedLimit, unidentified);
            dropped += path.getValue().size() - kept.size();
            path.setValue(kept);
        }
        List<TrajectoryTable.Row> filled = new GapFiller(paths, unidentified).fill();
        int byCrossings = (int) filled.stream().filter(r -> r.track().getFragment() != 0).count();

        List<TrajectoryTable.Row> out = new ArrayList<>(unidentified);
        paths.values().forEach(out::addAll);
        out.addAll(filled);
        out.sort(BY_FRAME_THEN_IDENTITY);
        return new Result(out, new Repairs(speedLimit, duplicates, dropped, filled.size(), byCrossings));
    }

    private static TrajectoryTable.Row withoutIdentity(TrajectoryTable.Row row) {
        return new TrajectoryTable.Row(row.frame(), row.timeS(),
                row.track().toBuilder().setIdentity(0).setConfidence(0).build());
    }

    private static double distance(TrajectoryTable.Row a, TrajectoryTable.Row b) {
        return Math.hypot(a.track().getX() - b.track().getX(), a.track().getY() - b.track().getY());
    }

    /** Keeps one row per frame of a path sorted by frame; the others go to {@code unidentified}. */
    private static List<TrajectoryTable.Row> resolveDuplicates(List<TrajectoryTable.Row> path,
                                                               List<TrajectoryTable.Row> unidentified) {
        List<List<TrajectoryTable.Row>> frames = new ArrayList<>();
        for (TrajectoryTable.Row row : path) {
            if (frames.isEmpty() || frames.get(frames.size() - 1).get(0).frame() != row.frame()) {
                frames.add(new ArrayList<>(2));
            }
            frames.get(frames.size() - 1).add(row);
        }
        List<TrajectoryTable.Row> kept = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            List<TrajectoryTable.Row> candidates = frames.get(i);
            if (candidates.size() == 1) {
                kept.add(candidates.get(0));
                continue;
            }
            double[] expected = expectedPosition(frames, i);
            TrajectoryTable.Row best = candidates.get(0);
            for (TrajectoryTable.Row c : candidates) {
                if (expected == null ? c.track().getConfidence() > best.track().getConfidence()
                        : Math.hypot(c.track().getX() - expected[0], c.track().getY() - expected[1])
                        < Math.hypot(best.track().getX() - expected[0], best.track().getY() - expected[1])) {
                    best = c;
                }
            }
            kept.add(best);
            for (TrajectoryTable.Row c : candidates) {
                if (c != best) {
                    unidentified.add(withoutIdentity(c));
                }
            }
        }
        return kept;
    }

    /** Where the nearest single rows before and after frame group {@code i} put the identity, or null. */
    private static double[] expectedPosition(List<List<TrajectoryTable.Row>> frames, int i) {
        TrajectoryTable.Row before = null;
        for (int j = i - 1; j >= 0 && before == null; j--) {
            before = frames.get(j).size() == 1 ? frames.get(j).get(0) : null;
        }
        TrajectoryTable.Row after = null;
        for (int j = i + 1; j < frames.size() && after == null; j++) {
            after = frames.get(j).size() == 1 ? frames.get(j).get(0) : null;
        }
        if (before == null && after == null) {
            return null;
        }
        if (before == null || after == null) {
            Track t = (before == null ? after : before).track();
            return new double[] {t.getX(), t.getY()};
        }
        long frame = frames.get(i).get(0).frame();
        double w = (frame - before.frame()) / (double) (after.frame() - before.frame());
        return new double[] {
            before.track().getX() + w * (after.track().getX() - before.track().getX()),
            before.track().getY() + w * (after.track().getY() - before.track().getY())};
    }

    /** The percentile of frame-to-frame speeds (px per frame) times the factor; infinite without data. */
    private double speedLimit(Iterable<List<TrajectoryTable.Row>> paths) {
        List<Double> speeds = new ArrayList<>();
        for (List<TrajectoryTable.Row> path : paths) {
            for (int i = 1; i < path.size(); i++) {
                if (path.get(i).frame() - path.get(i - 1).frame() == 1) {
                    speeds.add(distance(path.get(i - 1), path.get(i)));
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

    /**
     * Drops runs of rows that the path jumps to faster than the limit and comes back from within it, no
     * longer than a fillable gap and shorter than the contiguous run before the jump; a jump the path
     * never comes back from is taken as real.
     */
    private List<TrajectoryTable.Row> dropJumps(List<TrajectoryTable.Row> path, double limit,
                                                List<TrajectoryTable.Row> unidentified) {
        List<TrajectoryTable.Row> kept = new ArrayList<>(path.size());
        if (path.isEmpty()) {
            return kept;
        }
        kept.add(path.get(0));
        int i = 1;
        while (i < path.size()) {
            TrajectoryTable.Row good = kept.get(kept.size() - 1);
            if (speed(good, path.get(i)) <= limit) {
                kept.add(path.get(i++));
                continue;
            }
            int back = -1;
            for (int j = i + 1; j < path.size() && path.get(j).frame() - good.frame() - 1 <= options.maxGapFrames(); j++) {
                if (speed(good, path.get(j)) <= limit) {
                    back = j;
                    break;
                }
            }
            // The shorter side of the jump is the fault: a long run that a short one interrupts.
            if (back < 0 || back - i >= runEndingAt(kept)) {
                kept.add(path.get(i++));
            } else {
                for (; i < back; i++) {
                    unidentified.add(withoutIdentity(path.get(i)));
                }
            }
        }
        return kept;
    }

    /** Rows of the contiguous run (consecutive frames) that ends with the last kept row. */
    private static int runEndingAt(List<TrajectoryTable.Row> kept) {
        int n = 1;
        for (int k = kept.size() - 1; k > 0 && kept.get(k).frame() - kept.get(k - 1).frame() == 1; k--) {
            n++;
        }
        return n;
    }

    private static double speed(TrajectoryTable.Row from, TrajectoryTable.Row to) {
        return distance(from, to) / (to.frame() - from.frame());
    }

    /** One identity's estimate in one missing frame. */
    private static final class Estimate {
        final long identity;
        final long frame;
        final double timeS;
        final double angle;
        final double x;
        final double y;
        final Gap gap;
        boolean insideCrossing;
        TrajectoryTable.Row crossing;
        double shiftX;
        double shiftY;

        Estimate(long identity, long frame, double timeS, double angle, double x, double y, Gap gap) {
            this.identity = identity;
            this.frame = frame;
            this.timeS = timeS;
            this.angle = angle;
            this.x = x;
            this.y = y;
            this.gap = gap;
        }
    }

    /** A run of missing frames between two rows of an identity. */
    private static final class Gap {
        final List<Estimate> estimates = new ArrayList<>();
        final boolean plain;
        boolean kept = true;

        Gap(boolean plain) {
            this.plain = plain;
        }
    }

    /** Fills the gaps of the paths, placing animals inside crossings by the crossing's centroid. */
    private final class GapFiller {
        private final Map<Long, List<TrajectoryTable.Row>> paths;
        private final Map<Long, List<TrajectoryTable.Row>> unidentifiedByFrame = new HashMap<>();
        private final List<Gap> gaps = new ArrayList<>();

        GapFiller(Map<Long, List<TrajectoryTable.Row>> paths, List<TrajectoryTable.Row> unidentified) {
            this.paths = paths;
            for (TrajectoryTable.Row row : unidentified) {
                unidentifiedByFrame.computeIfAbsent(row.frame(), f -> new ArrayList<>()).add(row);
            }
        }

        List<TrajectoryTable.Row> fill() {
            long crossingFrames = Math.round(options.maxCrossingSeconds() * framesPerSecond());
            long longest = Math.max(options.maxGapFrames(), crossingFrames);
            List<Double> entryExit = new ArrayList<>();
            for (Map.Entry<Long, List<TrajectoryTable.Row>> path : paths.entrySet()) {
                List<TrajectoryTable.Row> rows = path.getValue();
                for (int i = 1; i < rows.size(); i++) {
                    TrajectoryTable.Row before = rows.get(i - 1);
                    TrajectoryTable.Row after = rows.get(i);
                    long missing = after.frame() - before.frame() - 1;
                    if (missing >= 1 && missing <= longest) {
                        gaps.add(interpolate(path.getKey(), before, after, missing <= options.maxGapFrames()));
                        nearestUnidentified(before.frame() + 1, before.track().getX(), before.track().getY(), entryExit);
                        nearestUnidentified(after.frame() - 1, after.track().getX(), after.track().getY(), entryExit);
                    }
                }
            }
            double gate = options.crossingGateFactor() * median(entryExit);
            // First with every candidate, to see which long gaps are inside crossings throughout; then again
            // with the gaps kept, since the members of a crossing decide each other's places.
            placeInCrossings(gate);
            for (Gap gap : gaps) {
                gap.kept = gap.plain || gap.estimates.stream().allMatch(e -> e.insideCrossing);
            }
            placeInCrossings(gate);
            List<TrajectoryTable.Row> out = new ArrayList<>();
            for (Gap gap : gaps) {
                if (!gap.kept) {
                    continue;
                }
                for (Estimate e : gap.estimates) {
                    out.add(new TrajectoryTable.Row(e.frame, e.timeS, Track.newBuilder()
                            .setIdentity(e.identity)
                            .setX(e.x + e.shiftX)
                            .setY(e.y + e.shiftY)
                            .setAngle(e.angle)
                            .setFragment(e.crossing == null ? 0 : e.crossing.track().getFragment())
                            .setInterpolated(true)
                            .build()));
                }
            }
            return out;
        }

        private Gap interpolate(long identity, TrajectoryTable.Row before, TrajectoryTable.Row after, boolean plain) {
            Gap gap = new Gap(plain);
            for (long frame = before.frame() + 1; frame < after.frame(); frame++) {
                double w = (frame - before.frame()) / (double) (after.frame() - before.frame());
                gap.estimates.add(new Estimate(identity, frame, before.timeS() + w * (after.timeS() - before.timeS()),
                        w < 0.5 ? before.track().getAngle() : after.track().getAngle(),
                        before.track().getX() + w * (after.track().getX() - before.track().getX()),
                        before.track().getY() + w * (after.track().getY() - before.track().getY()), gap));
            }
            return gap;
        }

        /** Adds the distance from (x, y) to the nearest unidentified row of {@code frame}, if any. */
        private void nearestUnidentified(long frame, double x, double y, List<Double> distances) {
            double best = Double.POSITIVE_INFINITY;
            for (TrajectoryTable.Row row : unidentifiedByFrame.getOrDefault(frame, List.of())) {
                best = Math.min(best, Math.hypot(row.track().getX() - x, row.track().getY() - y));
            }
            if (best < Double.POSITIVE_INFINITY) {
                distances.add(best);
            }
        }

        /**
         * Marks each kept estimate with an unidentified row within the gate as inside a crossing; when at
         * least one other estimate shares its nearest such row, that row is its crossing and the members
         * are shifted so their mean is its centroid (a lone member keeps its interpolated position).
         */
        private void placeInCrossings(double gate) {
            Map<Long, List<Estimate>> byFrame = new TreeMap<>();
            for (Gap gap : gaps) {
                for (Estimate e : gap.estimates) {
                    e.insideCrossing = false;
                    e.crossing = null;
                    e.shiftX = 0;
                    e.shiftY = 0;
                    if (gap.kept) {
                        byFrame.computeIfAbsent(e.frame, f -> new ArrayList<>()).add(e);
                    }
                }
            }
            for (Map.Entry<Long, List<Estimate>> frame : byFrame.entrySet()) {
                List<TrajectoryTable.Row> blobs = unidentifiedByFrame.getOrDefault(frame.getKey(), List.of());
                Map<TrajectoryTable.Row, List<Estimate>> members = new HashMap<>();
                for (Estimate e : frame.getValue()) {
                    TrajectoryTable.Row nearest = null;
                    double best = gate;
                    for (TrajectoryTable.Row blob : blobs) {
                        double d = Math.hypot(blob.track().getX() - e.x, blob.track().getY() - e.y);
                        if (d <= best) {
                            best = d;
                            nearest = blob;
                        }
                    }
                    if (nearest != null) {
                        e.insideCrossing = true;
                        members.computeIfAbsent(nearest, b -> new ArrayList<>()).add(e);
                    }
                }
                for (Map.Entry<TrajectoryTable.Row, List<Estimate>> crossing : members.entrySet()) {
                    List<Estimate> inside = crossing.getValue();
                    if (inside.size() < 2) {
                        continue;
                    }
                    double dx = crossing.getKey().track().getX() - inside.stream().mapToDouble(e -> e.x).average().orElseThrow();
                    double dy = crossing.getKey().track().getY() - inside.stream().mapToDouble(e -> e.y).average().orElseThrow();
                    for (Estimate e : inside) {
                        e.crossing = crossing.getKey();
                        e.shiftX = dx;
                        e.shiftY = dy;
                    }
                }
            }
        }

        /** Frames per second of the data's own media times (1 when they carry none). */
        private double framesPerSecond() {
            long firstFrame = Long.MAX_VALUE;
            long lastFrame = Long.MIN_VALUE;
            double firstTime = 0;
            double lastTime = 0;
            for (List<TrajectoryTable.Row> rows : paths.values()) {
                for (TrajectoryTable.Row row : rows) {
                    if (row.frame() < firstFrame) {
                        firstFrame = row.frame();
                        firstTime = row.timeS();
                    }
                    if (row.frame() > lastFrame) {
                        lastFrame = row.frame();
                        lastTime = row.timeS();
                    }
                }
            }
            return lastTime > firstTime ? (lastFrame - firstFrame) / (lastTime - firstTime) : 1;
        }
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
