package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BackgroundModelTest {

    @Test
    void medianOfSamplesRemovesAnAnimalThatMoves() {
        BackgroundModel model = new BackgroundModel(200, 100, 9);
        for (int t = 0; t < 9; t++) {
            model.add(new SyntheticFrame(200, 100, 180).ellipse(20 + 20 * t, 50, 10, 4, 0, 40).pixels(0, t));
        }
        byte[] median = model.median();
        for (byte v : median) {
            assertEquals(180, v & 0xFF);
        }
    }

    @Test
    void medianIsTheMiddleValueOfEachPixel() {
        BackgroundModel model = new BackgroundModel(2, 1, 5);
        int[][] samples = {{9, 200}, {1, 3}, {7, 3}, {250, 3}, {5, 100}};
        for (int[] s : samples) {
            model.add(new byte[] {(byte) s[0], (byte) s[1]});
        }
        byte[] median = model.median();
        assertEquals(7, median[0] & 0xFF);
        assertEquals(3, median[1] & 0xFF);
    }

    @Test
    void ignoresSamplesBeyondItsCapacityAndRefusesWrongSizes() {
        BackgroundModel model = new BackgroundModel(2, 2, 1);
        model.add(new byte[4]);
        assertFalse(model.add(new byte[4]));
        assertEquals(1, model.samples());
        assertThrows(IllegalArgumentException.class, () -> new BackgroundModel(2, 2, 3).add(new byte[5]));
        assertThrows(IllegalStateException.class, () -> new BackgroundModel(2, 2, 3).median());
    }
}
