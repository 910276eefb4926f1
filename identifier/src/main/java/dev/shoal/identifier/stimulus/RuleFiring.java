package dev.shoal.identifier.stimulus;

import java.util.List;

/** A rule firing on one frame, for the identities that caused it. */
public record RuleFiring(String rule, List<Long> identities) {

    public RuleFiring {
        identities = List.copyOf(identities);
    }
}
