package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.Track;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrajectoryPostProcessorTest {

    /** 10 frames per second, so the default 2 s crossing bound is 20 frames. */
    private static final double FRAME_S = 0.1;

    private static TrajectoryTable.Row row(long frame, long identity, double x, double y, long fragment) {
        return new TrajectoryTable.Row(frame, frame * FRAME_S, Track.newBuilder().setIdentity(identity)
                .setX(x).setY(y).setAngle(0.25 * identity).setConfidence(identity == 0 ? 0 : 0.99)
                .setFragment(fragment).build());
    }

    /**
     * Three animals on smooth paths with varying speed (at most about 2 px per frame), frames
     * 0..frames-1, each its own fragment, plus one unidentified position far away.
     */
    private static List<TrajectoryTable.Row> clean(int frames) {
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        for (long f = 0; f < frames; f++) {
            for (long id = 1; id <= 3; id++) {
                rows.add(row(f, id, 100 * id + 2 * f + Math.sin(f / 5.0), 50 * id + 10 * Math.cos(f / 7.0), id));
            }
        }
        rows.add(row(40, 0, 900, 900, 77));
        return rows;
    }

    private static TrajectoryTable.Row at(List<TrajectoryTable.Row> rows, long frame, long identity) {
        List<TrajectoryTable.Row> found = rows.stream()
                .filter(r -> r.frame() == frame && r.track().getIdentity() == identity).toList();
        assertEquals(1, found.size(), "rows of identity " + identity + " in frame " + frame);
        return found.get(0);
    }

    private static List<TrajectoryTable.Row> sorted(List<TrajectoryTable.Row> rows) {
        List<TrajectoryTable.Row> out = new ArrayList<>(rows);
        out.sort(Comparator.comparingLong(TrajectoryTable.Row::frame).thenComparingLong(r -> r.track().getIdentity()));
        return out;
    }

    private static TrajectoryPostProcessor.Result process(List<TrajectoryTable.Row> rows, int maxGapFrames) {
        return new TrajectoryPostProcessor(TrajectoryPostProcessor.Options.defaults(maxGapFrames)).process(rows);
    }

    @Test
    void leavesCleanTrajectoriesUntouched() {
        List<TrajectoryTable.Row> rows = clean(100);
        TrajectoryPostProcessor.Result result = process(rows, 30);
        assertEquals(sorted(rows), result.rows());
        assertEquals(new TrajectoryPostProcessor.Repairs(result.repairs().speedLimit(), 0, 0, 0, 0), result.repairs());
        assertTrue(result.repairs().speedLimit() > 2 && result.repairs().speedLimit() < 10,
                "limit learnt from speeds of about 1-3 px per frame: " + result.repairs().speedLimit());
    }

    @Test
    void dropsAnImpossibleJumpAndInterpolatesOverIt() {
        List<TrajectoryTable.Row> rows = clean(100);
        TrajectoryTable.Row truth = at(rows, 50, 2);
        rows.set(rows.indexOf(truth), row(50, 2, 700, 20, 2));
        TrajectoryPostProcessor.Result result = process(rows, 30);

        TrajectoryTable.Row repaired = at(result.rows(), 50, 2);
        TrajectoryTable.Row before = at(rows, 49, 2);
        TrajectoryTable.Row after = at(rows, 51, 2);
        assertTrue(repaired.track().getInterpolated());
        assertEquals((before.track().getX() + after.track().getX()) / 2, repaired.track().getX(), 1e-9);
        assertEquals((before.track().getY() + after.track().getY()) / 2, repaired.track().getY(), 1e-9);
        TrajectoryTable.Row dropped = at(result.rows(), 50, 0);
        assertEquals(700, dropped.track().getX(), 1e-9);
        assertEquals(2, dropped.track().getFragment(), "the dropped position keeps its fragment, without identity");
        assertEquals(1, result.repairs().jumpRowsDropped());
        assertEquals(1, result.repairs().rowsInterpolated());
        assertEquals(rows.size() + 1, result.rows().size());
    }

    @Test
    void dropsAShortWrongRunButKeepsARelocationThePathNeverComesBackFrom() {
        // 200 frames: the three faulty speeds stay above the 99th percentile the limit is learnt from.
        List<TrajectoryTable.Row> rows = clean(200);
        for (long f = 60; f <= 62; f++) {
            TrajectoryTable.Row r = at(rows, f, 1);
            rows.set(rows.indexOf(r), row(f, 1, r.track().getX() + 300, r.track().getY(), 9));
        }
        for (long f = 70; f < 200; f++) {
            TrajectoryTable.Row r = at(rows, f, 3);
            rows.set(rows.indexOf(r), row(f, 3, r.track().getX(), r.track().getY() + 400, 3));
        }
        TrajectoryPostProcessor.Result result = process(rows, 30);

        assertEquals(3, result.repairs().jumpRowsDropped());
        for (long f = 60; f <= 62; f++) {
            assertTrue(at(result.rows(), f, 1).track().getInterpolated());
            assertEquals(9, at(result.rows(), f, 0).track().getFragment());
        }
        for (long f = 69; f < 200; f++) {
            assertEquals(at(rows, f, 3), at(result.rows(), f, 3), "frame " + f);
        }
    }

    @Test
    void keepsTheDuplicateConsistentWithTheNeighbouringPositions() {
        List<TrajectoryTable.Row> rows = clean(100);
        TrajectoryTable.Row right = at(rows, 30, 3);
        rows.add(rows.indexOf(right), row(30, 3, 420, 60, 12));
        TrajectoryPostProcessor.Result result = process(rows, 30);

        assertEquals(right, at(result.rows(), 30, 3));
        TrajectoryTable.Row demoted = at(result.rows(), 30, 0);
        assertEquals(420, demoted.track().getX(), 1e-9);
        assertEquals(12, demoted.track().getFragment());
        assertEquals(1, result.repairs().duplicatesResolved());
        assertEquals(0, result.repairs().jumpRowsDropped());
        assertEquals(rows.size(), result.rows().size());
    }

    @Test
    void interpolatesAGapLinearlyUpToTheLimitOnly() {
        List<TrajectoryTable.Row> rows = clean(100);
        rows.removeIf(r -> r.track().getIdentity() == 1 && r.frame() >= 20 && r.frame() <= 24);
        TrajectoryTable.Row before = at(rows, 19, 1);
        TrajectoryTable.Row after = at(rows, 25, 1);

        TrajectoryPostProcessor.Result result = process(rows, 5);
        assertEquals(5, result.repairs().rowsInterpolated());
        assertEquals(0, result.repairs().rowsPlacedByCrossings());
        for (long f = 20; f <= 24; f++) {
            Track t = at(result.rows(), f, 1).track();
            double w = (f - 19) / 6.0;
            assertTrue(t.getInterpolated());
            assertEquals(before.track().getX() + w * (after.track().getX() - before.track().getX()), t.getX(), 1e-9);
            assertEquals(before.track().getY() + w * (after.track().getY() - before.track().getY()), t.getY(), 1e-9);
            assertEquals(f * FRAME_S, at(result.rows(), f, 1).timeS(), 1e-9);
            assertEquals(0, t.getFragment());
        }
        TrajectoryPostProcessor.Result tooLong = process(rows, 4);
        assertEquals(sorted(rows), tooLong.rows(), "a 5-frame gap outside crossings is over a limit of 4");
    }

    /**
     * Animals 1 and 2 swim side by side (y = 0 and y = 10, x = frame) and disappear into one crossing
     * blob for frames 10..21, whose centroid runs 3 px below their interpolated mean.
     */
    private static List<TrajectoryTable.Row> crossing(boolean withCrossingBlob) {
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        for (long f = 0; f < 40; f++) {
            if (f >= 10 && f <= 21) {
                if (withCrossingBlob) {
                    rows.add(row(f, 0, f, 8, 99));
                }
            } else {
                rows.add(row(f, 1, f, 0, f < 10 ? 1 : 3));
                rows.add(row(f, 2, f, 10, f < 10 ? 2 : 4));
            }
        }
        return rows;
    }

    @Test
    void placesAnimalsInsideACrossingSoTheirMeanIsItsCentroid() {
        TrajectoryPostProcessor.Result result = process(crossing(true), 12);
        assertEquals(24, result.repairs().rowsInterpolated());
        assertEquals(24, result.repairs().rowsPlacedByCrossings());
        for (long f = 10; f <= 21; f++) {
            Track one = at(result.rows(), f, 1).track();
            Track two = at(result.rows(), f, 2).track();
            assertEquals(f, one.getX(), 1e-9);
            assertEquals(3, one.getY(), 1e-9);
            assertEquals(f, two.getX(), 1e-9);
            assertEquals(13, two.getY(), 1e-9);
            assertTrue(one.getInterpolated() && two.getInterpolated());
            assertEquals(99, one.getFragment());
            assertEquals(99, two.getFragment());
        }
    }

    @Test
    void bridgesACrossingLongerThanThePlainGapLimitButNotAPlainGap() {
        TrajectoryPostProcessor.Result inCrossing = process(crossing(true), 5);
        assertEquals(24, inCrossing.repairs().rowsPlacedByCrossings(), "12 frames inside a crossing, within 2 s");
        assertEquals(3, at(inCrossing.rows(), 15, 1).track().getY(), 1e-9);

        List<TrajectoryTable.Row> plain = crossing(false);
        assertEquals(sorted(plain), process(plain, 5).rows(), "12 missing frames outside crossings exceed 5");

        TrajectoryPostProcessor.Result overTwoSeconds = new TrajectoryPostProcessor(
                new TrajectoryPostProcessor.Options(5, 1.0, 99, 3, 3)).process(crossing(true));
        assertEquals(0, overTwoSeconds.repairs().rowsInterpolated(), "12 frames at 10 fps exceed a 1 s crossing bound");
    }

    @Test
    void refusesOptionsOutOfRangeNamingThem() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> new TrajectoryPostProcessor.Options(-1, 2, 99, 3, 3));
        assertTrue(e.getMessage().contains("max gap -1"), e.getMessage());
        assertThrows(BadInputException.class, () -> new TrajectoryPostProcessor.Options(30, 2, 0, 3, 3));
        assertThrows(BadInputException.class, () -> new TrajectoryPostProcessor.Options(30, 2, 99, 0.5, 3));
        assertThrows(BadInputException.class, () -> new TrajectoryPostProcessor.Options(30, Double.NaN, 99, 3, 3));
    }
}
