package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionCheckpointTest {

    private static final int CROP = 28;
    private static final int ANIMALS = 4;
    private static final IdentityAccumulator.Options OPTIONS = IdentityAccumulator.Options.defaults(
            TrainingOptions.defaults().withMaxEpochs(3).withPatience(2).withValidationFraction(0.2).withSeed(1),
            IdentityNetwork.Architecture.LIGHT);

    @TempDir
    Path temp;

    @Test
    void aResumedAccumulatorKeepsItsIdentitiesAndGivesTheSameLogits() {
        SpottedCrops textures = new SpottedCrops(CROP, ANIMALS, 11);
        SyntheticGlobalFragments session = new SyntheticGlobalFragments(textures, ANIMALS, 20, 30, 3);
        Path file = SessionCheckpoint.in(temp);
        LabelledCrops probe = textures.generate(5, 42);
        float[] inputs = new float[probe.size() * CROP * CROP];
        for (int i = 0; i < probe.size(); i++) {
            probe.scaleInto(i, inputs, i * CROP * CROP);
        }
        float[] before;
        IdentityAccumulator.Checkpoint saved;
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 24);
             IdentityAccumulator accumulator = new IdentityAccumulator(ANIMALS, CROP, OPTIONS, null)) {
            session.next("s", 2).forEach(store::add);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                accumulator.step(snapshot);
            }
            saved = accumulator.checkpoint();
            new SessionCheckpoint(ANIMALS, CROP, TrainingMethod.CLASSIC, IdentityNetwork.Architecture.LIGHT, 3, 120, 2,
                    false, saved).write(file);
            before = accumulator.model().logits(inputs, probe.size());
        }

        SessionCheckpoint read = SessionCheckpoint.read(file);
        assertEquals(3, read.version());
        assertEquals(120, read.publishedAcceptedImages());
        assertEquals(2, read.trainedOnGlobals());
        assertEquals(saved.identities(), read.accumulator().identities());
        assertEquals(saved.acceptedGlobals(), read.accumulator().acceptedGlobals());
        assertEquals(saved.report(), read.accumulator().report());
        try (IdentityAccumulator resumed = IdentityAccumulator.resume(ANIMALS, CROP, OPTIONS, null, read.accumulator())) {
            assertEquals(saved.identities(), resumed.identities());
            assertEquals(1, resumed.trainings());
            assertArrayEquals(before, resumed.model().logits(inputs, probe.size()), 0f);
        }
        assertTrue(Files.notExists(file.resolveSibling(SessionCheckpoint.FILE + ".tmp")), "no temporary file is left");
    }

    @Test
    void aTruncatedCheckpointIsAOneLineErrorNamingTheFile() throws Exception {
        Path file = SessionCheckpoint.in(temp);
        new SessionCheckpoint(ANIMALS, CROP, TrainingMethod.PAIRWISE, IdentityNetwork.Architecture.LIGHT, 2, 10, 1, false,
                new IdentityAccumulator.Checkpoint(Map.of(7L, 1), Set.of(3L), 1, new byte[] {1, 2, 3},
                        new TrainingReport(10, 8, 2, 2, 1, 0.1, 1, 100))).write(file);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 2));
        BadInputException e = assertThrows(BadInputException.class, () -> SessionCheckpoint.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("delete this file"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());

        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThrows(BadInputException.class, () -> SessionCheckpoint.read(file));
    }

    @Test
    void aTrainerWithOtherSettingsMayNotCarryOnFromACheckpoint() {
        SessionCheckpoint checkpoint = new SessionCheckpoint(ANIMALS, CROP, TrainingMethod.CLASSIC,
                IdentityNetwork.Architecture.LIGHT, 1, 10, 1, false, null);
        Path file = SessionCheckpoint.in(temp);
        checkpoint.checkFits(file, ANIMALS, CROP, TrainingMethod.CLASSIC, IdentityNetwork.Architecture.LIGHT);
        BadInputException e = assertThrows(BadInputException.class, () -> checkpoint.checkFits(file, ANIMALS + 1, CROP,
                TrainingMethod.CLASSIC, IdentityNetwork.Architecture.LIGHT));
        assertTrue(e.getMessage().contains("4 animals") && e.getMessage().contains("but this trainer has 5"), e.getMessage());
        assertThrows(BadInputException.class, () -> checkpoint.checkFits(file, ANIMALS, CROP, TrainingMethod.PAIRWISE,
                IdentityNetwork.Architecture.LIGHT));
    }
}
