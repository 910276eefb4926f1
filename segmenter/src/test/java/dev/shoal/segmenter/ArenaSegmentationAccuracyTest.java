package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.ingest.arena.ArenaGenerator;
import dev.shoal.ingest.arena.ArenaSettings;
import dev.shoal.ingest.arena.TruthRow;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The segmenter on the synthetic arena, scored against its exact ground truth: the structure
 * identification learns from (individual fragments, global fragments) must never mix two animals.
 */
class ArenaSegmentationAccuracyTest {

    private static final String SPEC = "arena:animals=10,seed=7,size=1024x1024,fps=30,difficulty=medium,frames=450";

    @Test
    void everyAnimalApartIsInExactlyOneIndividualBlobOfAPureFragment() {
        ArenaSettings arena = ArenaSettings.parse(SPEC);
        WarmUp warmUp = new WarmUp(15, 40, 52, arena.animals(), true);
        SegmentationSettings settings = new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 10,
                arena.width() * arena.height() / 10, 0);
        Map<Long, Set<Integer>> animalsByFragment = new HashMap<>();
        Map<Long, long[]> spanByFragment = new HashMap<>();
        long apart = 0;
        long covered = 0;
        long inGlobalFragments = 0;
        try (SessionSegmenter session = new SessionSegmenter(arena.width(), arena.height(), arena.fps(),
                arena.frames(), 0, settings, warmUp)) {
            try (ArenaGenerator generator = new ArenaGenerator(arena)) {
                for (long i = 0; !session.ready(); i++) {
                    session.warmUpWith(i, generator.next().gray(), i == arena.frames() - 1);
                }
            }
            Set<Long> globalMembers = new HashSet<>();
            Map<Long, Integer> apartFramesByFragment = new HashMap<>();
            try (ArenaGenerator generator = new ArenaGenerator(arena)) {
                for (long i = 0; i < arena.frames(); i++) {
                    ArenaGenerator.ArenaFrame frame = generator.next();
                    SessionSegmenter.SegmentedFrame segmented = session.segment(i, ByteBuffer.wrap(frame.gray()));
                    for (TruthRow animal : frame.truth()) {
                        if (animal.touching()) {
                            continue;
                        }
                        apart++;
                        int blob = onlyIndividualBlobAt(segmented, animal, arena.bodyLength());
                        if (blob < 0) {
                            continue;
                        }
                        covered++;
                        long fragment = segmented.fragments()[blob];
                        animalsByFragment.computeIfAbsent(fragment, f -> new HashSet<>()).add(animal.identity());
                        apartFramesByFragment.merge(fragment, 1, Integer::sum);
                        spanByFragment.putIfAbsent(fragment, new long[] {i, i});
                        spanByFragment.get(fragment)[1] = i;
                    }
                    for (GlobalFragmentBuilder.Global global : session.globalFragments(segmented, i == arena.frames() - 1)) {
                        assertEquals(arena.animals(), global.fragments().size());
                        for (GlobalFragmentBuilder.Fragment f : global.fragments()) {
                            globalMembers.add(f.id());
                        }
                    }
                }
            }
            for (long fragment : globalMembers) {
                inGlobalFragments += apartFramesByFragment.getOrDefault(fragment, 0);
            }
        }
        assertEquals(apart, covered, "animal-frames apart not covered by exactly one individual blob");
        for (Map.Entry<Long, Set<Integer>> e : animalsByFragment.entrySet()) {
            assertEquals(1, e.getValue().size(), "fragment " + e.getKey() + " mixes animals " + e.getValue()
                    + " over frames " + spanByFragment.get(e.getKey())[0] + ".." + spanByFragment.get(e.getKey())[1]);
        }
        double inGlobal = inGlobalFragments / (double) apart;
        System.out.printf(Locale.ROOT, "arena medium-10, %d frames: %d animal-frames apart, all in pure fragments"
                        + " (%d fragments); %.1f%% of them inside global fragments%n", arena.frames(), apart,
                animalsByFragment.size(), 100 * inGlobal);
        assertTrue(inGlobal > 0.5, "share of animal-frames inside global fragments: " + inGlobal);
    }

    /** The individual blob whose centroid is within a quarter body length of the animal's, if exactly one is. */
    private static int onlyIndividualBlobAt(SessionSegmenter.SegmentedFrame frame, TruthRow animal, double bodyLength) {
        int found = -1;
        double radius = bodyLength / 4;
        List<DetectedBlob> blobs = frame.blobs();
        for (int b = 0; b < blobs.size(); b++) {
            if (frame.crossing()[b]) {
                continue;
            }
            if (Math.hypot(blobs.get(b).x() - animal.x(), blobs.get(b).y() - animal.y()) < radius) {
                if (found >= 0) {
                    return -1;
                }
                found = b;
            }
        }
        return found;
    }
}
