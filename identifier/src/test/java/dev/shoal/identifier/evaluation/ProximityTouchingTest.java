package dev.shoal.identifier.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProximityTouchingTest {

    @Test
    void marksOnlyTheAnimalsWithAnotherOneCloserThanTheDistance() {
        TreeMap<Long, List<PointObservation>> frames = new TreeMap<>();
        frames.put(0L, List.of(new PointObservation(0, 0, 0, false), new PointObservation(1, 30, 40, false),
                new PointObservation(2, 500, 500, false)));
        frames.put(1L, List.of(new PointObservation(0, 0, 0, false), new PointObservation(1, 0, 51, false)));
        FrameSeries<PointObservation> marked = ProximityTouching.mark(
                new FrameSeries<>("truth.csv", frames, List.of("a", "b", "c")), 51);

        List<PointObservation> first = marked.frames().get(0L);
        assertTrue(first.get(0).touching());
        assertTrue(first.get(1).touching());
        assertFalse(first.get(2).touching());
        List<PointObservation> second = marked.frames().get(1L);
        assertFalse(second.get(0).touching(), "exactly the distance apart is apart");
        assertFalse(second.get(1).touching());
        assertEquals(List.of("a", "b", "c"), marked.identities());
        assertEquals(30, first.get(1).x());
    }

    @Test
    void refusesADistanceThatIsNotPositive() {
        FrameSeries<PointObservation> empty = new FrameSeries<>("t", new TreeMap<>(), List.of());
        assertThrows(IllegalArgumentException.class, () -> ProximityTouching.mark(empty, 0));
    }
}
