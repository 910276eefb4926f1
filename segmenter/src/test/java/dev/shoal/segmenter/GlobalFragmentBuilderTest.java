package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GlobalFragmentBuilderTest {

    private final GlobalFragmentBuilder builder = new GlobalFragmentBuilder(3, 4);
    private final List<GlobalFragmentBuilder.Global> emitted = new ArrayList<>();

    private void frame(long index, long[] fragments, boolean... crossing) {
        byte[][] crops = new byte[fragments.length][];
        for (int i = 0; i < fragments.length; i++) {
            crops[i] = crossing[i] ? null : new byte[] {(byte) index, (byte) fragments[i]};
        }
        emitted.addAll(builder.frame(index, fragments, crossing, crops));
    }

    private static Set<Long> ids(GlobalFragmentBuilder.Global g) {
        return g.fragments().stream().map(GlobalFragmentBuilder.Fragment::id).collect(Collectors.toSet());
    }

    @Test
    void emitsEachSetOfNCoexistingIndividualFragmentsOnceAllOfThemHaveEnded() {
        for (long t = 0; t < 10; t++) {
            frame(t, new long[] {1, 2, 3}, false, false, false);
        }
        assertTrue(emitted.isEmpty(), "its fragments are still open");
        frame(10, new long[] {1, 4}, false, true);
        assertTrue(emitted.isEmpty(), "fragment 1 is still open");
        for (long t = 11; t < 20; t++) {
            frame(t, new long[] {1, 5, 6}, false, false, false);
        }
        frame(20, new long[] {7, 5, 6}, false, false, false);
        assertEquals(1, emitted.size(), "fragment 1 ended at frame 19");
        GlobalFragmentBuilder.Global first = emitted.get(0);
        assertEquals(Set.of(1L, 2L, 3L), ids(first));
        assertEquals(0, first.firstFrame());
        assertEquals(9, first.lastFrame());

        emitted.addAll(builder.finish());
        assertEquals(3, emitted.size());
        assertEquals(Set.of(1L, 5L, 6L), ids(emitted.get(1)));
        assertEquals(11, emitted.get(1).firstFrame());
        assertEquals(19, emitted.get(1).lastFrame());
        assertEquals(Set.of(7L, 5L, 6L), ids(emitted.get(2)));
    }

    @Test
    void framesWithACrossingOrTheWrongCountMakeNoGlobalFragmentAndCrossingFragmentsAreNotMembers() {
        for (long t = 0; t < 5; t++) {
            frame(t, new long[] {1, 2}, false, true);
        }
        for (long t = 5; t < 8; t++) {
            frame(t, new long[] {1, 3, 4, 5}, false, false, false, false);
        }
        assertTrue(builder.finish().isEmpty());
        assertTrue(emitted.isEmpty());
    }

    @Test
    void keepsAtMostTheCapOfCropsPerFragmentSpreadEvenlyOverItsFrames() {
        for (long t = 0; t < 100; t++) {
            frame(t, new long[] {1, 2, 3}, false, false, false);
        }
        List<GlobalFragmentBuilder.Global> done = builder.finish();
        assertEquals(1, done.size());
        for (GlobalFragmentBuilder.Fragment f : done.get(0).fragments()) {
            assertTrue(f.crops().size() <= 4 && f.crops().size() >= 2, "crops " + f.crops().size());
            assertEquals(0, f.crops().get(0)[0], "starts at the first frame");
            assertTrue((f.crops().get(f.crops().size() - 1)[0] & 0xFF) >= 40, "reaches late frames");
            assertEquals(0, f.firstFrame());
            assertEquals(99, f.lastFrame());
        }
    }

    @Test
    void aGlobalFragmentThatReachesTheMaximumSpanIsEmittedThenAndTheNextOneStartsAfterIt() {
        GlobalFragmentBuilder capped = new GlobalFragmentBuilder(3, 64, 10);
        List<GlobalFragmentBuilder.Global> out = new ArrayList<>();
        long[] fragments = {1, 2, 3};
        boolean[] apart = {false, false, false};
        for (long t = 0; t < 25; t++) {
            byte[][] crops = {{(byte) t}, {(byte) t}, {(byte) t}};
            out.addAll(capped.frame(t, fragments, apart, crops));
            assertEquals(t < 9 ? 0 : t < 19 ? 1 : 2, out.size(), "emitted by frame " + t);
        }
        GlobalFragmentBuilder.Global early = out.get(0);
        assertEquals(Set.of(1L, 2L, 3L), ids(early));
        assertEquals(0, early.firstFrame());
        assertEquals(9, early.lastFrame());
        for (GlobalFragmentBuilder.Fragment f : early.fragments()) {
            assertEquals(9, f.lastFrame(), "the fragment so far");
            assertEquals(9, f.crops().get(f.crops().size() - 1)[0], "its crops up to the emitting frame");
        }
        assertEquals(10, out.get(1).firstFrame());
        assertEquals(19, out.get(1).lastFrame());
        out.addAll(capped.finish());
        assertEquals(3, out.size());
        assertEquals(20, out.get(2).firstFrame());
        assertEquals(24, out.get(2).lastFrame());
        assertEquals(List.of(1L, 2L, 3L), out.stream().map(GlobalFragmentBuilder.Global::id).toList());
    }
}
