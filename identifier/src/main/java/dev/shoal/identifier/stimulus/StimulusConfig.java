package dev.shoal.identifier.stimulus;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The checked contents of a rules file: how to build its rules, and where to send OSC datagrams. */
public final class StimulusConfig {

    private final List<String> ruleNames;
    private final List<Supplier<StimulusRule>> rules;
    private final InetSocketAddress oscTarget;

    StimulusConfig(List<String> ruleNames, List<Supplier<StimulusRule>> rules, InetSocketAddress oscTarget) {
        this.ruleNames = List.copyOf(ruleNames);
        this.rules = List.copyOf(rules);
        this.oscTarget = oscTarget;
    }

    public List<String> ruleNames() {
        return ruleNames;
    }

    /** Fresh rules with empty state, one set per session. */
    public List<StimulusRule> newRules() {
        return rules.stream().map(Supplier::get).toList();
    }

    /** The resolved host:port for OSC datagrams, if the file asks for them. */
    public Optional<InetSocketAddress> oscTarget() {
        return Optional.ofNullable(oscTarget);
    }
}
