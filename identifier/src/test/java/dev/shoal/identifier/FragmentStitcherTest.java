package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.Track;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FragmentStitcherTest {

    /** A provisional row: identity = fragment id, as the identifier writes before any model. */
    private static TrajectoryTable.Row individual(long frame, long fragment, double x, double y) {
        return new TrajectoryTable.Row(frame, frame / 10.0, Track.newBuilder().setIdentity(fragment)
                .setX(x).setY(y).setFragment(fragment).build());
    }

    private static TrajectoryTable.Row crossing(long frame, long fragment, double x, double y) {
        return new TrajectoryTable.Row(frame, frame / 10.0, Track.newBuilder().setIdentity(0)
                .setX(x).setY(y).setFragment(fragment).build());
    }

    private static FragmentStitcher.Result stitch(int animals, List<TrajectoryTable.Row> rows) {
        return new FragmentStitcher(FragmentStitcher.Options.defaults(animals)).stitch(rows);
    }

    /** The one identity the result gives to the fragment's rows. */
    private static long identityOf(FragmentStitcher.Result result, long fragment) {
        Set<Long> identities = new HashSet<>();
        for (TrajectoryTable.Row row : result.rows()) {
            if (row.track().getFragment() == fragment) {
                identities.add(row.track().getIdentity());
            }
        }
        assertEquals(1, identities.size(), "identities of fragment " + fragment + ": " + identities);
        return identities.iterator().next();
    }

    @Test
    void stitchesAnAnimalAcrossACrossingGapByItsMotion() {
        // A walks right along y = 50, B left along y = 60; they merge in frames 20-29 and go on through each
        // other. Nearest end position alone would swap them: at frame 30 A is 22 px from its last position
        // and 10 px from B's.
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        for (long f = 0; f < 50; f++) {
            double ax = 10 + 2 * f;
            double bx = 110 - 2 * f;
            if (f < 20) {
                rows.add(individual(f, 1, ax, 50));
                rows.add(individual(f, 2, bx, 60));
            } else if (f < 30) {
                rows.add(crossing(f, 9, (ax + bx) / 2, 55));
            } else {
                rows.add(individual(f, 3, ax, 50));
                rows.add(individual(f, 4, bx, 60));
            }
        }
        FragmentStitcher.Result result = stitch(2, rows);

        assertEquals(identityOf(result, 1), identityOf(result, 3), "A after the crossing");
        assertEquals(identityOf(result, 2), identityOf(result, 4), "B after the crossing");
        assertNotEquals(identityOf(result, 1), identityOf(result, 2));
        assertEquals(0, identityOf(result, 9), "the crossing's rows keep identity 0");
        assertEquals(4, result.fragmentsPlaced());
        assertEquals(2, result.identities());
        assertEquals(6, result.speedLimit(), 1e-9, "3 x the 2 px per frame the animals walk");
    }

    @Test
    void neverGivesOneIdentityToTwoCoexistingFragments() {
        // Four animals on random walks whose fragments break at random; spurious blobs come and go.
        Random random = new Random(7);
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        double[][] at = {{100, 100}, {300, 100}, {100, 300}, {300, 300}};
        long[] fragmentOf = {1, 2, 3, 4};
        long next = 5;
        for (long f = 0; f < 300; f++) {
            for (int a = 0; a < 4; a++) {
                at[a][0] += random.nextGaussian() * 3;
                at[a][1] += random.nextGaussian() * 3;
                if (random.nextDouble() < 0.05) {
                    fragmentOf[a] = next++;
                }
                if (random.nextDouble() < 0.9) {
                    rows.add(individual(f, fragmentOf[a], at[a][0], at[a][1]));
                }
            }
            if (random.nextDouble() < 0.1) {
                rows.add(individual(f, next++, random.nextDouble() * 400, random.nextDouble() * 400));
            }
        }
        FragmentStitcher.Result result = stitch(4, rows);

        Map<Long, Set<Long>> identitiesByFrame = new HashMap<>();
        for (TrajectoryTable.Row row : result.rows()) {
            long identity = row.track().getIdentity();
            assertTrue(identity >= 0 && identity <= 4, "identity " + identity);
            if (identity > 0) {
                assertTrue(identitiesByFrame.computeIfAbsent(row.frame(), k -> new HashSet<>()).add(identity),
                        "identity " + identity + " twice in frame " + row.frame());
            }
        }
        assertTrue(result.fragmentsPlaced() < result.fragments(), "some spurious blobs are left out");
        assertTrue(result.fragmentsPlaced() > result.fragments() / 2, result.fragmentsPlaced() + " placed");
    }

    @Test
    void leavesAFragmentUnplacedWhenNoSlotIsWithinReach() {
        // Two animals walking 1 px per frame (speed limit 3): fragment 1 ends at frame 20, and the fragment
        // that starts at frame 21 is 500 px away; the only free slot cannot reach it in one frame.
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        for (long f = 0; f <= 40; f++) {
            if (f <= 20) {
                rows.add(individual(f, 1, 100 + f, 100));
            } else {
                rows.add(individual(f, 3, 600 + f, 100));
            }
            rows.add(individual(f, 2, 100 + f, 300));
        }
        FragmentStitcher.Result result = stitch(2, rows);

        assertEquals(0, identityOf(result, 3));
        assertEquals(2, result.fragmentsPlaced());
        assertEquals(3, result.fragments());
    }

    @Test
    void handlesMoreFragmentsThanNAtTheStartByKeepingTheLongest() {
        // Three blobs in frame 0, two animals: the blob that lasts two frames is the spurious one.
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        for (long f = 0; f < 50; f++) {
            rows.add(individual(f, 1, 100 + f, 100));
            rows.add(individual(f, 2, 100 + f, 300));
            if (f < 2) {
                rows.add(individual(f, 3, 400, 400));
            }
        }
        FragmentStitcher.Result result = stitch(2, rows);

        assertEquals(0, identityOf(result, 3));
        assertEquals(Set.of(1L, 2L), Set.of(identityOf(result, 1), identityOf(result, 2)));
    }

    @Test
    void continuesANearbySlotRatherThanOpeningAnUnusedOne() {
        // Three animals, the third never seen apart until frame 30. Fragment 1 breaks at frame 10 and the
        // animal goes on as fragment 3; the far-off fragment 4 is the third animal.
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        for (long f = 0; f < 50; f++) {
            rows.add(individual(f, f <= 10 ? 1 : 3, 100 + f, 100));
            rows.add(individual(f, 2, 100 + f, 300));
            if (f >= 30) {
                rows.add(individual(f, 4, 500, 500 + f));
            }
        }
        FragmentStitcher.Result result = stitch(3, rows);

        assertEquals(identityOf(result, 1), identityOf(result, 3));
        assertEquals(Set.of(1L, 2L, 3L), Set.of(identityOf(result, 1), identityOf(result, 2), identityOf(result, 4)));
        assertEquals(3, result.identities());
    }

    @Test
    void refusesImpossibleOptions() {
        assertThrows(BadInputException.class, () -> new FragmentStitcher.Options(0, 99, 3, 5, 10));
        assertThrows(BadInputException.class, () -> new FragmentStitcher.Options(2, 99, 0.5, 5, 10));
    }
}
