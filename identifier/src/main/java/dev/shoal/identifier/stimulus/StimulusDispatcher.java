package dev.shoal.identifier.stimulus;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.StimulusCommand;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Evaluates one session's rules on each frame's tracks and turns every firing into a
 * {@link StimulusCommand} stamped with its decision time. Records the capture-to-decision latency of
 * each firing in the timer {@code shoal.stimulus.latency} (p50 and p99, per rule) and
 * counts firings in {@code shoal.stimulus.firings}. On /metrics: {@code
 * shoal_stimulus_latency_seconds{quantile="0.5"|"0.99",rule=...}} over a decaying two-minute window,
 * with {@code _count}, {@code _sum} and {@code _max}. Free of Kafka, so a file run and the live
 * service decide alike.
 */
public final class StimulusDispatcher {

    public static final String LATENCY_TIMER = "shoal.stimulus.latency";
    public static final String FIRINGS_COUNTER = "shoal.stimulus.firings";

    private final List<StimulusRule> rules;
    private final List<Timer> latency = new ArrayList<>();
    private final List<Counter> firings = new ArrayList<>();
    private final LongSupplier clock;

    /**
     * @param clock the monotonic clock the frames' capture times are on ({@code System::nanoTime}
     *              for sources captured in this JVM)
     */
    public StimulusDispatcher(List<StimulusRule> rules, MeterRegistry registry, LongSupplier clock) {
        this.rules = List.copyOf(rules);
        this.clock = clock;
        for (StimulusRule rule : this.rules) {
            latency.add(Timer.builder(LATENCY_TIMER)
                    .description("Capture of a frame to a stimulus decision on it")
                    .tag("rule", rule.name())
                    // Client-side quantiles: Micrometer's Prometheus registry drops them when a
                    // histogram is also published, and p50/p99 per process is what the closed loop needs.
                    .publishPercentiles(0.5, 0.99)
                    .percentilePrecision(2)
                    .minimumExpectedValue(Duration.ofNanos(100_000))
                    .maximumExpectedValue(Duration.ofSeconds(2))
                    .register(registry));
            firings.add(Counter.builder(FIRINGS_COUNTER)
                    .description("Stimulus rule firings")
                    .tag("rule", rule.name())
                    .register(registry));
        }
    }

    /** The commands this frame's tracks cause, in rule order. */
    public List<StimulusCommand> decide(FrameTracks frame) {
        List<StimulusCommand> commands = new ArrayList<>(0);
        for (int r = 0; r < rules.size(); r++) {
            Optional<RuleFiring> firing = rules.get(r).evaluate(frame);
            if (firing.isEmpty()) {
                continue;
            }
            long decision = clock.getAsLong();
            long latencyNs = decision - frame.getCaptureTimeNs();
            commands.add(StimulusCommand.newBuilder()
                    .setSession(frame.getSession())
                    .setRule(firing.get().rule())
                    .addAllIdentities(firing.get().identities())
                    .setFrame(frame.getIndex())
                    .setCaptureTimeNs(frame.getCaptureTimeNs())
                    .setDecisionTimeNs(decision)
                    .setLatencyNs(latencyNs)
                    .build());
            latency.get(r).record(latencyNs, TimeUnit.NANOSECONDS);
            firings.get(r).increment();
        }
        return commands;
    }
}
