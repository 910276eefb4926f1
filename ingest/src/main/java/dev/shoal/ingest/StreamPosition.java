package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import java.util.Locale;

/**
 * A point in a video or recording: a frame index ({@code 120}) or a time in seconds from its start
 * ({@code 4.5s}, {@code 1:30}, {@code 0:01:30.25}).
 */
public record StreamPosition(long frame, double seconds) {

    public static StreamPosition ofFrame(long frame) {
        return new StreamPosition(frame, Double.NaN);
    }

    public static StreamPosition ofSeconds(double seconds) {
        return new StreamPosition(-1, seconds);
    }

    public boolean isFrame() {
        return frame >= 0;
    }

    /** Whether a frame at {@code index} and {@code timeS} seconds from the start lies before this point. */
    public boolean isAfter(long index, double timeS) {
        return isFrame() ? index < frame : timeS < seconds - 1e-9;
    }

    /**
     * Parses {@code text}; {@code option} names the option in the one-line error.
     * A bare integer is a frame index; a number ending in {@code s} or an {@code [h:]m:s} clock is a time.
     */
    public static StreamPosition parse(String option, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d+")) {
                return ofFrame(Long.parseLong(t));
            }
            if (t.matches("\\d+(\\.\\d*)?s")) {
                return ofSeconds(Double.parseDouble(t.substring(0, t.length() - 1)));
            }
            if (t.matches("(\\d+:)?\\d+:\\d+(\\.\\d*)?")) {
                String[] parts = t.split(":");
                double s = 0;
                for (String part : parts) {
                    s = s * 60 + Double.parseDouble(part);
                }
                return ofSeconds(s);
            }
        } catch (NumberFormatException ignored) {
            // Falls through to the one-line error below.
        }
        throw new BadInputException(option + " " + text + ": give a frame index (120), seconds (4.5s) or a clock"
                + " time (1:30 or 0:01:30.5)");
    }

    @Override
    public String toString() {
        return isFrame() ? Long.toString(frame) : String.format(Locale.ROOT, "%.3fs", seconds);
    }
}
