package dev.shoal.identifier.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Marks truth animals as touching when another truth animal is closer than a distance. Real clips'
 * truth has positions but no touching flag; this gives them one, so identity accuracy can be taken,
 * as idtracker.ai does, over the animal-frames where the animals are apart.
 */
public final class ProximityTouching {

    private ProximityTouching() {
    }

    /** A copy of {@code truth} whose touching flags say: another animal lies within {@code distance} pixels. */
    public static FrameSeries<PointObservation> mark(FrameSeries<PointObservation> truth, double distance) {
        if (!(distance > 0)) {
            throw new IllegalArgumentException("distance must be positive, was " + distance);
        }
        NavigableMap<Long, List<PointObservation>> frames = new TreeMap<>();
        truth.frames().forEach((frame, animals) -> {
            List<PointObservation> marked = new ArrayList<>(animals.size());
            for (PointObservation a : animals) {
                boolean near = false;
                for (PointObservation b : animals) {
                    if (b != a && Math.hypot(a.x() - b.x(), a.y() - b.y()) < distance) {
                        near = true;
                        break;
                    }
                }
                marked.add(new PointObservation(a.identity(), a.x(), a.y(), near));
            }
            frames.put(frame, marked);
        });
        return new FrameSeries<>(truth.source(), frames, truth.identities());
    }
}
