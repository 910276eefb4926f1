package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.ingest.arena.Difficulty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A training method on a small arena (5 animals, easy; crops cut as the segmenter cuts them, see
 * {@link ArenaCrops}): the global fragments of the first 600 frames go to an accumulator with the
 * trainer service's settings, which steps at most {@value #MAX_STEPS} times; its model must identify
 * the crops of the video's last 500 frames, never trained on.
 */
class ArenaAccumulationTest {

    private static final int ANIMALS = 5;
    private static final int CROP = 52;
    private static final int SIDE = 640;
    private static final int GLOBAL_FRAMES = 600;
    private static final int TEST_FROM = 800;
    private static final int FRAMES = 1300;
    private static final int MAX_STEPS = 5;

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(TrainingMethod.class)
    void reachesNinetyNinePercentOnHeldOutCropsWithinBoundedSteps(TrainingMethod method) throws IOException {
        ArenaCrops arena = ArenaCrops.load(ANIMALS, FRAMES, SIDE, 1, Difficulty.EASY, CROP, Path.of("target", "arena-crops"));
        Map<Long, Integer> truth = new HashMap<>();
        List<GlobalFragment> globals = arena.globalFragments(GLOBAL_FRAMES, truth);
        LabelledCrops test = new LabelledCrops(CROP, ANIMALS);
        for (int f = TEST_FROM; f < FRAMES; f++) {
            for (int a = 0; a < ANIMALS; a++) {
                if (arena.crop(f, a) != null) {
                    test.add(arena.crop(f, a), a);
                }
            }
        }
        TrainingOptions training = TrainerService.Settings.defaults(ANIMALS, temp).accumulation().training()
                .withMethod(method);
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1L << 30);
             IdentityAccumulator accumulator = new IdentityAccumulator(ANIMALS, CROP,
                     IdentityAccumulator.Options.defaults(training, IdentityNetwork.Architecture.LIGHT), null)) {
            globals.forEach(store::add);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                int steps = 0;
                IdentityAccumulator.Step step;
                do {
                    step = accumulator.step(snapshot);
                    steps++;
                } while (step.trained() && !accumulator.finished(snapshot) && steps < MAX_STEPS);

                int[] identityOfLabel = new int[ANIMALS];
                Arrays.fill(identityOfLabel, -1);
                accumulator.identities().forEach((fragment, label) -> {
                    if (identityOfLabel[label] < 0) {
                        identityOfLabel[label] = truth.get(fragment);
                    }
                });
                double accuracy = IdentityAccumulatorTest.accuracy(accumulator.model(), test, identityOfLabel);
                assertTrue(accuracy >= 0.99, method + ": held-out accuracy " + accuracy + " on " + test.size()
                        + " crops after " + steps + " steps, " + accumulator.acceptedImages(snapshot) + " of "
                        + snapshot.images() + " images accepted");
            }
        }
    }
}
