package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.identifier.FragmentIdentityAssigner.Correction;
import dev.shoal.identifier.FragmentIdentityAssigner.FrameAssignment;
import dev.shoal.identifier.FragmentIdentityAssigner.Options;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FragmentIdentityAssignerTest {

    /** An animal's fragment over [first, last]. */
    private record Span(long fragment, int animal, long first, long last) {
        boolean covers(long frame) {
            return first <= frame && frame <= last;
        }
    }

    /**
     * Each animal's life is cut into fragments of random length; fragment ids are unique and the
     * animals' fragments start and end at different frames, as after crossings.
     */
    private static List<Span> spans(int animals, long frames, Random random) {
        List<Span> spans = new ArrayList<>();
        long id = 100;
        for (int a = 1; a <= animals; a++) {
            long first = 0;
            while (first < frames) {
                long last = Math.min(frames - 1, first + 5 + random.nextInt(60));
                spans.add(new Span(id++, a, first, last));
                first = last + 1 + random.nextInt(3);
            }
        }
        return spans;
    }

    /** Crop probabilities: the true animal gets {@code signal} more log-odds than each other, plus noise. */
    private static float[] crop(int animals, int truth, double signal, double noise, Random random) {
        double[] logits = new double[animals];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < animals; k++) {
            logits[k] = (k + 1 == truth ? signal : 0) + noise * random.nextGaussian();
            max = Math.max(max, logits[k]);
        }
        double sum = 0;
        for (int k = 0; k < animals; k++) {
            logits[k] = Math.exp(logits[k] - max);
            sum += logits[k];
        }
        float[] p = new float[animals];
        for (int k = 0; k < animals; k++) {
            p[k] = (float) (logits[k] / sum);
        }
        return p;
    }

    private static long[] presentAt(List<Span> spans, long frame) {
        return spans.stream().filter(s -> s.covers(frame)).mapToLong(Span::fragment).toArray();
    }

    @Test
    void neverGivesOneIdentityToTwoCoexistingFragmentsEvenWhenTheModelPrefersOne() {
        int animals = 5;
        Random random = new Random(11);
        List<Span> spans = spans(animals, 400, random);
        Map<Long, Span> byFragment = new HashMap<>();
        spans.forEach(s -> byFragment.put(s.fragment(), s));
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(animals, Options.defaults());
        Map<Long, Integer> finalIdentity = new HashMap<>();
        for (long frame = 0; frame < 400; frame++) {
            long[] present = presentAt(spans, frame);
            for (long fragment : present) {
                if (assigner.wantsScore(fragment)) {
                    // A biased model: every crop leans to identity 1, the truth only weakly.
                    float[] p = crop(animals, byFragment.get(fragment).animal(), 0.3, 1.0, random);
                    p[0] += 0.5f;
                    assigner.addEvidence(fragment, frame, p);
                }
            }
            FrameAssignment assignment = assigner.assign(frame, present);
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < present.length; i++) {
                int identity = assignment.identities()[i];
                assertTrue(identity >= 1 && identity <= animals, "frame " + frame + " identity " + identity);
                assertTrue(seen.add(identity), "frame " + frame + ": identity " + identity + " given twice");
                finalIdentity.put(present[i], identity);
            }
            for (Correction c : assignment.corrections()) {
                finalIdentity.put(c.fragment(), (int) c.newIdentity());
            }
        }
        for (Span a : spans) {
            for (Span b : spans) {
                if (a != b && a.first() <= b.last() && b.first() <= a.last()) {
                    assertNotEquals(finalIdentity.get(a.fragment()), finalIdentity.get(b.fragment()),
                            "overlapping fragments " + a + " and " + b + " end with one identity");
                }
            }
        }
    }

    @Test
    void convergesToTheTrueIdentitiesFromNoisyButInformativeCrops() {
        int animals = 6;
        Random random = new Random(5);
        List<Span> spans = spans(animals, 600, random);
        Map<Long, Span> byFragment = new HashMap<>();
        spans.forEach(s -> byFragment.put(s.fragment(), s));
        Options scoreEverything = new Options(Math.log(100), 0.999, 1, 1, 1e-4);
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(animals, scoreEverything);
        long cropsRight = 0;
        long crops = 0;
        Map<Long, Integer> finalIdentity = new HashMap<>();
        for (long frame = 0; frame < 600; frame++) {
            long[] present = presentAt(spans, frame);
            for (long fragment : present) {
                int truth = byFragment.get(fragment).animal();
                float[] p = crop(animals, truth, 1.0, 1.2, random);
                crops++;
                cropsRight += IdentityScorerTest.argmax(p) + 1 == truth ? 1 : 0;
                assigner.addEvidence(fragment, frame, p);
            }
            FrameAssignment assignment = assigner.assign(frame, present);
            for (int i = 0; i < present.length; i++) {
                finalIdentity.put(present[i], assignment.identities()[i]);
            }
            for (Correction c : assignment.corrections()) {
                finalIdentity.put(c.fragment(), (int) c.newIdentity());
            }
        }
        double cropAccuracy = cropsRight / (double) crops;
        assertTrue(cropAccuracy < 0.6, "single crops must be unreliable for this test: " + cropAccuracy);
        long longFragments = spans.stream().filter(s -> s.last() - s.first() >= 20).count();
        long right = spans.stream().filter(s -> s.last() - s.first() >= 20)
                .filter(s -> finalIdentity.get(s.fragment()) == s.animal()).count();
        long wrong = spans.stream().filter(s -> s.last() - s.first() >= 20)
                .filter(s -> finalIdentity.get(s.fragment()) != 0 && finalIdentity.get(s.fragment()) != s.animal()).count();
        assertEquals(0, wrong, "no fragment of 20+ frames ends with another animal's identity");
        assertTrue(right >= 0.95 * longFragments, right + " of " + longFragments + " fragments of 20+ frames identified");
    }

    @Test
    void keepsAnIdentityAgainstWeakContraryEvidenceAndReportsTheChangeOnceItIsClear() {
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(2, new Options(Math.log(100), 1.0, 1, 1, 1e-4));
        long frame = 0;
        assigner.addEvidence(7, frame, new float[] {0.9f, 0.1f});
        assertEquals(1, assigner.assign(frame, new long[] {7}).identities()[0]);
        // Each crop moves ln 9 = 2.2 of log-odds; the hysteresis is ln 100 = 4.6.
        frame++;
        assigner.addEvidence(7, frame, new float[] {0.1f, 0.9f});
        FrameAssignment held = assigner.assign(frame, new long[] {7});
        assertEquals(1, held.identities()[0], "one contrary crop only cancels the first");
        assertTrue(held.corrections().isEmpty());
        frame++;
        assigner.addEvidence(7, frame, new float[] {0.1f, 0.9f});
        FrameAssignment stillHeld = assigner.assign(frame, new long[] {7});
        assertEquals(1, stillHeld.identities()[0], "ln 9 more for identity 2 is under the hysteresis");
        List<Correction> changes = new ArrayList<>();
        int identity = 1;
        for (int i = 0; i < 5; i++) {
            frame++;
            assigner.addEvidence(7, frame, new float[] {0.1f, 0.9f});
            FrameAssignment assignment = assigner.assign(frame, new long[] {7});
            identity = assignment.identities()[0];
            changes.addAll(assignment.corrections());
        }
        assertEquals(2, identity);
        assertEquals(List.of(new Correction(7, 0, 4, 1, 2)), changes,
                "one change, at frame 4, where identity 2 leads by 3 ln 9 = 6.6 > ln 100");
    }

    @Test
    void scoresEveryCropUntilCertainThenOnlyEveryKth() {
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(3, new Options(Math.log(100), 0.99, 4, 5, 1e-4));
        int scored = 0;
        for (long frame = 0; frame < 104; frame++) {
            if (assigner.wantsScore(1)) {
                assigner.addEvidence(1, frame, new float[] {0.8f, 0.1f, 0.1f});
                scored++;
            }
            assigner.assign(frame, new long[] {1});
        }
        // Four crops reach min scored (posterior 8^4 / (8^4 + 2) > 0.99); then one crop in five.
        assertEquals(4 + 100 / 5, scored);
        assertTrue(assigner.certaintyOf(1) > 0.99);
    }

    @Test
    void correctsExactlyTheFragmentsANewModelIdentifiesDifferently() {
        int animals = 4;
        Random random = new Random(21);
        List<Span> spans = spans(animals, 300, random);
        Map<Long, Span> byFragment = new HashMap<>();
        spans.forEach(s -> byFragment.put(s.fragment(), s));
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(animals, Options.defaults());
        // First model: right for animals 1 and 2, swaps animals 3 and 4 everywhere.
        Map<Long, Integer> published = new HashMap<>();
        for (long frame = 0; frame < 300; frame++) {
            long[] present = presentAt(spans, frame);
            for (long fragment : present) {
                int animal = byFragment.get(fragment).animal();
                int seenAs = animal == 3 ? 4 : animal == 4 ? 3 : animal;
                if (assigner.wantsScore(fragment)) {
                    assigner.addEvidence(fragment, frame, crop(animals, seenAs, 4, 0.5, random));
                }
            }
            FrameAssignment assignment = assigner.assign(frame, present);
            for (int i = 0; i < present.length; i++) {
                published.put(present[i], assignment.identities()[i]);
            }
            assertTrue(assignment.corrections().isEmpty(), "a clear, consistent model changes nothing online");
        }
        for (Span s : spans) {
            int expected = s.animal() == 3 ? 4 : s.animal() == 4 ? 3 : s.animal();
            assertEquals(expected, published.get(s.fragment()), "first model's identity of " + s);
        }

        // Second model: right everywhere. Re-score the window (all of it) and reassign.
        assigner.beginRescore();
        for (long frame = assigner.windowFirstFrame(); frame < 300; frame++) {
            for (long fragment : presentAt(spans, frame)) {
                if (assigner.wantsScore(fragment)) {
                    assigner.addEvidence(fragment, frame, crop(animals, byFragment.get(fragment).animal(), 4, 0.5, random));
                }
            }
        }
        List<Correction> corrections = assigner.reassign();

        List<Correction> expected = new ArrayList<>();
        for (Span s : spans) {
            if (s.animal() >= 3) {
                expected.add(new Correction(s.fragment(), s.first(), s.last(), published.get(s.fragment()), s.animal()));
            }
        }
        assertEquals(expected, corrections);
        assertTrue(assigner.reassign().isEmpty(), "a second replay with the same evidence changes nothing");
    }

    @Test
    void correctsProvisionalFragmentIdsOnceAModelArrives() {
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(2, Options.defaults());
        assigner.recordProvisional(0, new long[] {31, 32});
        assigner.recordProvisional(1, new long[] {31, 32});
        assigner.addEvidence(31, 2, new float[] {0.2f, 0.8f});
        assigner.addEvidence(32, 2, new float[] {0.7f, 0.3f});
        FrameAssignment assignment = assigner.assign(2, new long[] {31, 32});
        assertEquals(List.of(new Correction(31, 0, 2, 31, 2), new Correction(32, 0, 2, 32, 1)), assignment.corrections());
        assertFalse(assigner.retains(99));
    }

    @Test
    void forgetsFragmentsThatEndedBeforeTheWindow() {
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(2, Options.defaults());
        assigner.addEvidence(1, 0, new float[] {0.9f, 0.1f});
        assigner.assign(0, new long[] {1});
        assigner.addEvidence(2, 1, new float[] {0.9f, 0.1f});
        assigner.assign(1, new long[] {2});
        assigner.addEvidence(2, 5, new float[] {0.9f, 0.1f});
        assigner.assign(5, new long[] {2});
        assigner.forgetClosedBefore(3);
        assertFalse(assigner.retains(1));
        assertTrue(assigner.retains(2), "fragment 2 is still open");
        assertEquals(1, assigner.windowFirstFrame());
    }

    @Test
    void restoredFromItsStateMidwayGoesOnExactlyAsTheOriginal() {
        int animals = 4;
        Random random = new Random(11);
        List<Span> spans = spans(animals, 400, random);
        Map<Long, Span> byFragment = new HashMap<>();
        spans.forEach(s -> byFragment.put(s.fragment(), s));
        // A bounded window, so that forgotten fragments still bar their identity to their neighbours.
        long window = 50;
        FragmentIdentityAssigner original = new FragmentIdentityAssigner(animals, Options.defaults());
        FragmentIdentityAssigner restored = null;
        for (long frame = 0; frame < 400; frame++) {
            if (frame == 230) {
                restored = FragmentIdentityAssigner.restore(animals, Options.defaults(), original.state());
                assertEquals(original.state(), restored.state(), "the state round-trips");
            }
            long[] present = presentAt(spans, frame);
            List<float[]> crops = new ArrayList<>();
            for (long fragment : present) {
                crops.add(crop(animals, byFragment.get(fragment).animal(), 1.5, 1.0, random));
            }
            FrameAssignment expected = step(original, frame, present, crops);
            if (restored != null) {
                FrameAssignment actual = step(restored, frame, present, crops);
                assertTrue(Arrays.equals(expected.identities(), actual.identities()), "frame " + frame);
                assertTrue(Arrays.equals(expected.confidences(), actual.confidences()), "frame " + frame);
                assertEquals(expected.corrections(), actual.corrections(), "frame " + frame);
                original.forgetClosedBefore(frame - window);
                restored.forgetClosedBefore(frame - window);
            } else {
                original.forgetClosedBefore(frame - window);
            }
        }
        original.beginRescore();
        restored.beginRescore();
        for (Span span : spans) {
            float[] p = crop(animals, span.animal(), 3.0, 0.5, random);
            if (original.retains(span.fragment())) {
                original.addEvidence(span.fragment(), span.first(), p);
                restored.addEvidence(span.fragment(), span.first(), p);
            }
        }
        assertEquals(original.reassign(), restored.reassign(), "a final re-score corrects the same fragments");
    }

    private static FrameAssignment step(FragmentIdentityAssigner assigner, long frame, long[] present, List<float[]> crops) {
        for (int i = 0; i < present.length; i++) {
            if (assigner.wantsScore(present[i])) {
                assigner.addEvidence(present[i], frame, crops.get(i));
            }
        }
        return assigner.assign(frame, present);
    }
}
