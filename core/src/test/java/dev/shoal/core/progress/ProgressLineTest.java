package dev.shoal.core.progress;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void showsDoneOverTotalRateEtaAndDetail() {
        AtomicLong done = new AtomicLong(250);
        StringWriter text = new StringWriter();
        try (ProgressLine line = new ProgressLine("track", "frames", done::get, 1000, () -> "model v2",
                new PrintWriter(text, true), Duration.ofHours(1))) {
            String rendered = line.render();
            assertTrue(rendered.startsWith("track: 250/1000 frames (25%), "), rendered);
            assertTrue(rendered.contains(" frames/s, ETA "), rendered);
            assertTrue(rendered.endsWith(", model v2"), rendered);
        }
        assertTrue(text.toString().contains("track: 250/1000 frames"), "final line printed on close");
    }

    @Test
    void omitsTheEtaWhenTheTotalIsUnknown() {
        try (ProgressLine line = new ProgressLine("live", "frames", () -> 10, -1, null,
                new PrintWriter(new StringWriter()), Duration.ofHours(1))) {
            String text = line.render();
            assertTrue(text.startsWith("live: 10 frames, "), text);
            assertFalse(text.contains("ETA"), text);
        }
    }
}
