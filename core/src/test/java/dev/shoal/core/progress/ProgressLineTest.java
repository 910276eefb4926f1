package dev.shoal.core.progress;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void showsDoneOverTotalRateEtaAndDetail() {
        AtomicLong done = new AtomicLong(250);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressLine line = new ProgressLine("track", "frames", done::get, 1000, () -> "model v2",
                new PrintStream(bytes, true), Duration.ofHours(1))) {
            String text = line.render();
            assertTrue(text.startsWith("track: 250/1000 frames (25%), "), text);
            assertTrue(text.contains(" frames/s, ETA "), text);
            assertTrue(text.endsWith(", model v2"), text);
        }
        assertTrue(bytes.toString().contains("track: 250/1000 frames"), "final line printed on close");
    }

    @Test
    void omitsTheEtaWhenTheTotalIsUnknown() {
        try (ProgressLine line = new ProgressLine("live", "frames", () -> 10, -1, null,
                new PrintStream(new ByteArrayOutputStream()), Duration.ofHours(1))) {
            String text = line.render();
            assertTrue(text.startsWith("live: 10 frames, "), text);
            assertTrue(!text.contains("ETA"), text);
        }
    }
}
