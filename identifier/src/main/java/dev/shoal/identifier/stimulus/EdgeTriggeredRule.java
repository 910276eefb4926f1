package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import java.util.List;
import java.util.Optional;

/**
 * A rule that fires when its condition becomes true for some identities, then stays silent for its
 * refractory period. Edges that happen during the refractory period are consumed, not deferred: a
 * stimulus device that cannot re-trigger should not fire late.
 */
abstract class EdgeTriggeredRule implements StimulusRule {

    private final String name;
    private final double refractorySeconds;
    private double lastFiringS = Double.NaN;

    EdgeTriggeredRule(String name, double refractorySeconds) {
        this.name = name;
        this.refractorySeconds = refractorySeconds;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Updates the state with {@code frame} and returns the identities whose condition just became true. */
    abstract List<Long> risingIdentities(FrameTracks frame);

    @Override
    public final Optional<RuleFiring> evaluate(FrameTracks frame) {
        List<Long> rising = risingIdentities(frame);
        double now = frame.getMediaTimeS();
        if (rising.isEmpty() || (!Double.isNaN(lastFiringS) && now - lastFiringS < refractorySeconds)) {
            return Optional.empty();
        }
        lastFiringS = now;
        return Optional.of(new RuleFiring(name, rising));
    }
}
