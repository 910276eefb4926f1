package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IdentityAccumulatorTest {

    private static final int CROP = 28;
    private static final TrainingOptions TRAINING = TrainingOptions.defaults().withMaxEpochs(25).withPatience(3)
            .withValidationFraction(0.2).withSeed(1);

    @TempDir
    Path temp;

    @Test
    void neverAcceptsAGlobalFragmentWhoseAssignmentDuplicatesAnIdentity() {
        int animals = 4;
        SpottedCrops textures = new SpottedCrops(CROP, animals, 21);
        Random random = new Random(5);
        // Fragments 20..23 show animals 0..3; in global fragment 2, fragments 30 and 31 both show animal 0,
        // so a network trained on global fragment 1 cannot tell them apart; global fragment 3 is sound.
        GlobalFragment first = global(1, textures, random, 60, new long[] {20, 21, 22, 23}, new int[] {0, 1, 2, 3});
        GlobalFragment confusing = global(2, textures, random, 30, new long[] {30, 31, 32, 33}, new int[] {0, 0, 2, 3});
        GlobalFragment sound = global(3, textures, random, 30, new long[] {40, 41, 42, 43}, new int[] {3, 1, 0, 2});
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 24);
             IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP,
                     IdentityAccumulator.Options.defaults(TRAINING, IdentityNetwork.Architecture.LIGHT), null)) {
            store.add(first);
            store.add(confusing);
            store.add(sound);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                IdentityAccumulator.Step start = accumulator.step(snapshot);
                assertTrue(start.trained());
                assertEquals(Map.of(20L, 0, 21L, 1, 22L, 2, 23L, 3), accumulator.identities(),
                        "the first global fragment is the one whose shortest fragment is longest");
                assertEquals(majority(accumulator, snapshot, 30), majority(accumulator, snapshot, 31),
                        "the network must confuse fragments 30 and 31 for this test to mean anything");

                accumulator.step(snapshot);
                assertFalse(accumulator.acceptedGlobals().contains(2L), "global fragment 2 duplicates an identity");
                for (long fragment : new long[] {30, 31, 32, 33}) {
                    assertFalse(accumulator.identities().containsKey(fragment), "fragment " + fragment);
                }
                assertTrue(accumulator.acceptedGlobals().contains(3L), "global fragment 3 is sound");
                assertEquals(Map.of(40L, 3, 41L, 1, 42L, 0, 43L, 2), Map.of(40L, accumulator.identities().get(40L),
                        41L, accumulator.identities().get(41L), 42L, accumulator.identities().get(42L),
                        43L, accumulator.identities().get(43L)));
                assertFalse(accumulator.finished(snapshot));
            }
        }
    }

    @Test
    void anAcceptanceAddingUnderTheRetrainGainIsKeptAndRetrainedOnOnceGainsAddUp() {
        int animals = 4;
        SpottedCrops textures = new SpottedCrops(CROP, animals, 21);
        Random random = new Random(9);
        GlobalFragment first = global(1, textures, random, 60, new long[] {20, 21, 22, 23}, new int[] {0, 1, 2, 3});
        // Fragments 30 and 31 continue animal 3 after crossings, each beside the identified 20..22: 4 crops
        // add 1.7% to the 240 trained on, 30 more crops bring the gain to 14%.
        GlobalFragment small = global(2, textures, random, 4, new long[] {20, 21, 22, 30}, new int[] {0, 1, 2, 3});
        GlobalFragment larger = global(3, textures, random, 30, new long[] {20, 21, 22, 31}, new int[] {0, 1, 2, 3});
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 24);
             IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP,
                     IdentityAccumulator.Options.defaults(TRAINING, IdentityNetwork.Architecture.LIGHT), null)) {
            store.add(first);
            store.add(small);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                assertTrue(accumulator.step(snapshot).trained());
                IdentityAccumulator.Step step = accumulator.step(snapshot);
                assertTrue(step.acceptedAny(), step.toString());
                assertFalse(step.trained(), "4 images on 240: " + step);
                assertEquals(1, accumulator.trainings());
                assertEquals(3, accumulator.identities().get(30L));
            }
            store.add(larger);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                IdentityAccumulator.Step step = accumulator.step(snapshot);
                assertTrue(step.trained(), "34 images on 240: " + step);
                assertEquals(2, accumulator.trainings());
                assertEquals(3, accumulator.identities().get(31L));
            }
        }
    }

    @Test
    void identifiesByEliminationTheFragmentsThatJoinAlreadyIdentifiedOnes() {
        int animals = 4;
        // Texture 4 belongs to no animal: a network trained on animals 0..3 cannot be certain of it.
        SpottedCrops textures = new SpottedCrops(CROP, animals + 1, 21);
        Random random = new Random(7);
        GlobalFragment first = global(1, textures, random, 60, new long[] {20, 21, 22, 23}, new int[] {0, 1, 2, 3});
        // After a crossing of animals 3 and 0, fragments 30 and 31 continue them; global fragment 2 holds
        // 30 beside three identified fragments, global fragment 3 then holds 31 beside identified ones.
        GlobalFragment second = global(2, textures, random, 40, new long[] {20, 21, 22, 30}, new int[] {0, 1, 2, 3});
        GlobalFragment third = global(3, textures, random, 30, new long[] {31, 21, 22, 30}, new int[] {4, 1, 2, 3});
        // Two new fragments among two free identities: scored among those two only.
        GlobalFragment fourth = global(4, textures, random, 30, new long[] {40, 41, 22, 30}, new int[] {1, 0, 2, 3});
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 24);
             IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP,
                     IdentityAccumulator.Options.defaults(TRAINING, IdentityNetwork.Architecture.LIGHT), null)) {
            store.add(first);
            store.add(second);
            store.add(third);
            store.add(fourth);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                accumulator.step(snapshot);
                IdentityAccumulator.Step step = accumulator.step(snapshot);
                assertEquals(3, step.accepted(), "global fragments 2, 3 and 4 in one step: " + accumulator.acceptedGlobals());
                Map<Long, Integer> identities = accumulator.identities();
                assertEquals(3, identities.get(30L));
                assertEquals(0, identities.get(31L), "the one identity left free, whatever the network makes of it");
                assertEquals(1, identities.get(40L));
                assertEquals(0, identities.get(41L));
            }
        }
    }

    @Test
    void acceptsTheCertainFragmentsOfAGlobalFragmentOnTheirOwnOnceNoneCanBeAcceptedWhole() {
        int animals = 4;
        SpottedCrops textures = new SpottedCrops(CROP, animals, 21);
        Random random = new Random(5);
        GlobalFragment first = global(1, textures, random, 60, new long[] {20, 21, 22, 23}, new int[] {0, 1, 2, 3});
        // Fragments 32 and 33 both show animal 0, so global fragment 2 cannot be accepted whole; 30 and 31 are sound.
        GlobalFragment split = global(2, textures, random, 40, new long[] {30, 31, 32, 33}, new int[] {1, 2, 0, 0});
        GlobalFragment sound = global(3, textures, random, 30, new long[] {40, 41, 42, 43}, new int[] {3, 1, 0, 2});
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 24);
             IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP,
                     IdentityAccumulator.Options.defaults(TRAINING, IdentityNetwork.Architecture.LIGHT), null)) {
            store.add(first);
            store.add(split);
            store.add(sound);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                accumulator.step(snapshot);
                IdentityAccumulator.Step whole = accumulator.step(snapshot);
                assertEquals(1, whole.accepted(), "global fragment 3 is accepted whole first");
                assertEquals(0, whole.partialFragments(), "no fragment on its own while a whole global fragment is accepted");
                assertFalse(accumulator.identities().containsKey(30L));

                IdentityAccumulator.Step partial = accumulator.step(snapshot);
                assertTrue(partial.trained());
                assertEquals(0, partial.accepted(), "global fragment 2 still holds two fragments that claim one identity");
                assertEquals(2, partial.partialFragments(), accumulator.identities().toString());
                assertEquals(1, accumulator.identities().get(30L));
                assertEquals(2, accumulator.identities().get(31L));
                assertFalse(accumulator.identities().containsKey(32L), "32 and 33 prefer one identity: neither is trusted");
                assertFalse(accumulator.identities().containsKey(33L));
                assertFalse(accumulator.acceptedGlobals().contains(2L), "partly identified global fragments stay out");
            }
        }
    }

    @Test
    void neverGivesAFragmentAnIdentityThatAFragmentCoexistingWithItHolds() {
        int animals = 4;
        SpottedCrops textures = new SpottedCrops(CROP, animals, 21);
        Random random = new Random(5);
        GlobalFragment first = global(1, textures, random, 60, new long[] {20, 21, 22, 23}, new int[] {0, 1, 2, 3});
        // Fragment 30 looks like animal 1 but coexists, in global fragment 3, with fragment 21, identity 1.
        GlobalFragment looksLikeOne = global(2, textures, random, 40, new long[] {30, 31, 32, 33}, new int[] {1, 2, 0, 0});
        GlobalFragment besideOne = global(3, textures, random, 30, new long[] {30, 21, 34, 35}, new int[] {1, 1, 0, 0});
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 24);
             IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP,
                     IdentityAccumulator.Options.defaults(TRAINING, IdentityNetwork.Architecture.LIGHT), null)) {
            store.add(first);
            store.add(looksLikeOne);
            store.add(besideOne);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                accumulator.step(snapshot);
                assertEquals(1, majority(accumulator, snapshot, 30),
                        "the network must see identity 1 in fragment 30 for this test to mean anything");

                IdentityAccumulator.Step step = accumulator.step(snapshot);
                assertTrue(step.partialFragments() >= 1, "fragment 31 is certain and free of conflicts");
                assertEquals(2, accumulator.identities().get(31L));
                assertFalse(Integer.valueOf(1).equals(accumulator.identities().get(30L)), accumulator.identities().toString());
                for (GlobalFragmentStore.StoredGlobal g : snapshot.globals()) {
                    Set<Integer> seen = new HashSet<>();
                    for (long id : g.fragmentIds()) {
                        Integer identity = accumulator.identities().get(id);
                        assertTrue(identity == null || seen.add(identity), "identity " + identity + " twice in global " + g.id());
                    }
                }
            }
        }
    }

    @Test
    void aResumedAccumulatorKeepsTheFragmentsAcceptedOnTheirOwn() {
        int animals = 4;
        SpottedCrops textures = new SpottedCrops(CROP, animals, 21);
        Random random = new Random(5);
        GlobalFragment first = global(1, textures, random, 60, new long[] {20, 21, 22, 23}, new int[] {0, 1, 2, 3});
        GlobalFragment split = global(2, textures, random, 40, new long[] {30, 31, 32, 33}, new int[] {1, 2, 0, 0});
        IdentityAccumulator.Options options = IdentityAccumulator.Options.defaults(TRAINING, IdentityNetwork.Architecture.LIGHT);
        Path file = SessionCheckpoint.in(temp);
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 24)) {
            store.add(first);
            store.add(split);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                IdentityAccumulator.Checkpoint saved;
                try (IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP, options, null)) {
                    accumulator.step(snapshot);
                    assertEquals(2, accumulator.step(snapshot).partialFragments(), accumulator.identities().toString());
                    saved = accumulator.checkpoint();
                }
                new SessionCheckpoint(animals, CROP, TrainingMethod.CLASSIC, IdentityNetwork.Architecture.LIGHT, 2, 0, 2,
                        false, saved).write(file);
                IdentityAccumulator.Checkpoint read = SessionCheckpoint.read(file).accumulator();
                assertEquals(Set.of(1L), read.acceptedGlobals(), "global fragment 2 is only partly identified");
                try (IdentityAccumulator resumed = IdentityAccumulator.resume(animals, CROP, options, null, read)) {
                    assertEquals(1, resumed.identities().get(30L));
                    assertEquals(2, resumed.identities().get(31L));
                    assertEquals(saved.identities(), resumed.identities());
                    resumed.step(snapshot);
                    Map<Long, Integer> after = resumed.identities();
                    saved.identities().forEach((fragment, identity) -> assertEquals(identity, after.get(fragment),
                            "fragment " + fragment + " keeps its identity after resuming"));
                    assertFalse(after.containsKey(32L) && after.containsKey(33L)
                            && after.get(32L).equals(after.get(33L)), after.toString());
                }
            }
        }
    }

    /**
     * Classic and pairwise only: the contrastive method accepted every image here with the right
     * identities but reached 98.6% held-out accuracy (2026-11-23), under this test's 99%; its own
     * accuracy test is {@link ArenaAccumulationTest}, and the figure is in docs/EXPERIMENTS.md.
     */
    @ParameterizedTest
    @EnumSource(value = TrainingMethod.class, names = {"CLASSIC", "PAIRWISE"})
    void accumulatesCorrectIdentitiesAndClassifiesHeldOutCrops(TrainingMethod method) {
        int animals = 5;
        SpottedCrops textures = new SpottedCrops(CROP, animals, 11);
        SyntheticGlobalFragments session = new SyntheticGlobalFragments(textures, animals, 40, 80, 3);
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 26);
             IdentityAccumulator accumulator = new IdentityAccumulator(animals, CROP,
                     IdentityAccumulator.Options.defaults(TRAINING.withMethod(method), IdentityNetwork.Architecture.LIGHT),
                     null)) {
            session.next("s", 6).forEach(store::add);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                accumulator.accumulate(snapshot);
                assertTrue(accumulator.finished(snapshot), "accepted " + accumulator.acceptedImages(snapshot) + " of "
                        + snapshot.images() + " images, global fragments " + accumulator.acceptedGlobals());

                int[] identityOfLabel = new int[animals];
                accumulator.identities().forEach((fragment, label) -> identityOfLabel[label] = session.identityOf(fragment));
                accumulator.identities().forEach((fragment, label) -> assertEquals(session.identityOf(fragment),
                        identityOfLabel[label], "fragment " + fragment + " labelled " + label));

                LabelledCrops heldOut = textures.generate(100, 99);
                double accuracy = accuracy(accumulator.model(), heldOut, identityOfLabel);
                assertTrue(accuracy >= 0.99, method + ": held-out accuracy " + accuracy);
            }
        }
    }

    private static GlobalFragment global(long id, SpottedCrops textures, Random random, int crops, long[] fragments,
                                         int[] animals) {
        GlobalFragment.Builder global = GlobalFragment.newBuilder().setSession("s").setId(id);
        for (int i = 0; i < fragments.length; i++) {
            IndividualFragment.Builder f = global.addFragmentsBuilder().setId(fragments[i]).setCropSize(CROP);
            for (int k = 0; k < crops; k++) {
                f.addCrops(ByteString.copyFrom(textures.render(animals[i], random)));
            }
        }
        return global.build();
    }

    /** The identity most of the fragment's crops are given. */
    private static int majority(IdentityAccumulator accumulator, GlobalFragmentStore.Snapshot snapshot, long fragment) {
        GlobalFragmentStore.StoredFragment f = snapshot.fragment(fragment);
        int pixels = CROP * CROP;
        byte[] crop = new byte[pixels];
        float[] inputs = new float[f.crops() * pixels];
        for (int k = 0; k < f.crops(); k++) {
            snapshot.readCrop(f, k, crop, 0);
            IdentityNetwork.scalePixels(crop, 0, inputs, k * pixels, pixels);
        }
        int classes = accumulator.model().network().classes();
        float[] logits = accumulator.model().logits(inputs, f.crops());
        int[] votes = new int[classes];
        for (int k = 0; k < f.crops(); k++) {
            votes[argmax(logits, k, classes)]++;
        }
        return argmax(votes);
    }

    static double accuracy(TrainedIdentityModel model, LabelledCrops crops, int[] identityOfLabel) {
        int pixels = crops.cropSize() * crops.cropSize();
        float[] inputs = new float[crops.size() * pixels];
        for (int i = 0; i < crops.size(); i++) {
            crops.scaleInto(i, inputs, i * pixels);
        }
        float[] logits = model.logits(inputs, crops.size());
        int correct = 0;
        for (int i = 0; i < crops.size(); i++) {
            if (identityOfLabel[argmax(logits, i, crops.classes())] == crops.label(i)) {
                correct++;
            }
        }
        return (double) correct / crops.size();
    }

    private static int argmax(float[] values, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (values[row * classes + c] > values[row * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    private static int argmax(int[] values) {
        int best = 0;
        for (int c = 1; c < values.length; c++) {
            if (values[c] > values[best]) {
                best = c;
            }
        }
        return best;
    }
}
