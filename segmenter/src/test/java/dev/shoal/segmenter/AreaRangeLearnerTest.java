package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AreaRangeLearnerTest {

    private static List<DetectedBlob> blobs(int... areas) {
        List<DetectedBlob> out = new ArrayList<>();
        for (int a : areas) {
            out.add(new DetectedBlob(out.size() + 1, 0, 0, a, 0, 0, 1, 1, 0, 1));
        }
        return out;
    }

    @Test
    void learnsTheMedianAreaWithinFivePercentFromFramesWithExactlyNBlobs() {
        AreaRangeLearner learner = new AreaRangeLearner(3, 20);
        Random random = new Random(1);
        for (int t = 0; t < 40; t++) {
            learner.offer(blobs(300 + random.nextInt(21) - 10, 300 + random.nextInt(21) - 10,
                    300 + random.nextInt(21) - 10));
            learner.offer(blobs(610, 295));
            learner.offer(blobs(300, 290, 310, 12));
        }
        assertTrue(learner.ready());
        assertEquals(40, learner.frames());
        AreaRangeLearner.AreaRange range = learner.range();
        assertEquals(300, range.median(), 15);
        assertTrue(range.min() <= 290 && range.min() >= 200, "min " + range.min());
        assertTrue(range.max() >= 310 && range.max() < 600, "two animals (600) are above the range: " + range.max());
    }

    @Test
    void isNotReadyUntilEnoughFramesAndNeedsAtLeastOne() {
        AreaRangeLearner learner = new AreaRangeLearner(2, 3);
        learner.offer(blobs(100, 100));
        assertFalse(learner.ready());
        assertThrows(IllegalStateException.class, () -> new AreaRangeLearner(2, 3).range());
    }
}
