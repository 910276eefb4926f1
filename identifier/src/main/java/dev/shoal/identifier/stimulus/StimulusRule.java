package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import java.util.Optional;

/**
 * A closed-loop condition on the animals' tracks. A rule fires on edges (an animal entering a zone,
 * not every frame it spends inside) and keeps the state that needs, so one instance serves one
 * session and sees its frames in order.
 */
public interface StimulusRule {

    /** The rule's name from the rules file; also the last part of its OSC address. */
    String name();

    /** Updates the rule's state with one frame's tracks and returns the firing it causes, if any. */
    Optional<RuleFiring> evaluate(FrameTracks frame);
}
