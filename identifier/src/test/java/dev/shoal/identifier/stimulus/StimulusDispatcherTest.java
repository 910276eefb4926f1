package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.StimulusCommand;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StimulusDispatcherTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong clock = new AtomicLong();

    private StimulusDispatcher dispatcher() {
        List<StimulusRule> rules = List.of(
                new ZoneCrossingRule("in", Zone.circle(100, 100, 20), ZoneCrossingRule.Direction.ENTER, TrackSelection.ANY, 0),
                new ProximityRule("close", 1, 2, 30, 0));
        return new StimulusDispatcher(rules, registry, clock::get);
    }

    @Test
    void stampsEachFiringWithItsDecisionTimeAndCaptureToDecisionLatency() {
        StimulusDispatcher dispatcher = dispatcher();
        var frames = new TrackFrames(1);
        assertTrue(dispatcher.decide(frames.next(1, 50, 100, 2, 200, 200)).isEmpty());

        FrameTracks entering = frames.next(1, 100, 100, 2, 125, 100);
        clock.set(entering.getCaptureTimeNs() + 3_000_000);
        List<StimulusCommand> commands = dispatcher.decide(entering);

        assertEquals(2, commands.size());
        StimulusCommand in = commands.get(0);
        assertEquals("s1", in.getSession());
        assertEquals("in", in.getRule());
        assertEquals(List.of(1L), in.getIdentitiesList());
        assertEquals(1, in.getFrame());
        assertEquals(entering.getCaptureTimeNs(), in.getCaptureTimeNs());
        assertEquals(entering.getCaptureTimeNs() + 3_000_000, in.getDecisionTimeNs());
        assertEquals(3_000_000, in.getLatencyNs());
        assertEquals("close", commands.get(1).getRule());
        assertEquals(List.of(1L, 2L), commands.get(1).getIdentitiesList());
    }

    @Test
    void timesEveryFiringPerRuleAndPublishesP50AndP99() {
        StimulusDispatcher dispatcher = dispatcher();
        var frames = new TrackFrames(1);
        dispatcher.decide(frames.next(1, 50, 100));
        FrameTracks entering = frames.next(1, 100, 100);
        clock.set(entering.getCaptureTimeNs() + 4_000_000);
        dispatcher.decide(entering);
        dispatcher.decide(frames.next(1, 100, 100));

        Timer in = registry.get(StimulusDispatcher.LATENCY_TIMER).tag("rule", "in").timer();
        assertEquals(1, in.count());
        assertEquals(4.0, in.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(0, registry.get(StimulusDispatcher.LATENCY_TIMER).tag("rule", "close").timer().count());
        assertEquals(1.0, registry.get(StimulusDispatcher.FIRINGS_COUNTER).tag("rule", "in").counter().count());

        String scrape = registry.scrape();
        assertTrue(scrape.contains("shoal_stimulus_latency_seconds{rule=\"in\",quantile=\"0.5\"} 0.0039"), scrape);
        assertTrue(scrape.contains("shoal_stimulus_latency_seconds{rule=\"in\",quantile=\"0.99\"} 0.0039"), scrape);
        assertTrue(scrape.contains("shoal_stimulus_latency_seconds_count{rule=\"in\"} 1"), scrape);
        assertTrue(scrape.contains("shoal_stimulus_firings_total{rule=\"in\"} 1.0"), scrape);
    }
}
