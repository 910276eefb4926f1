package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import java.util.Locale;

/** How fast a recording is replayed: a multiple of the recorded pace ({@code 1x}, {@code 2x}, {@code 0.5x}) or {@code max}. */
public record ReplaySpeed(double factor) {

    public static final ReplaySpeed MAX = new ReplaySpeed(Double.POSITIVE_INFINITY);

    public boolean paced() {
        return !Double.isInfinite(factor);
    }

    public static ReplaySpeed parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("max")) {
            return MAX;
        }
        if (t.matches("\\d+(\\.\\d*)?x?")) {
            double factor = Double.parseDouble(t.endsWith("x") ? t.substring(0, t.length() - 1) : t);
            if (factor > 0) {
                return new ReplaySpeed(factor);
            }
        }
        throw new BadInputException("--speed " + text + ": give a multiple of the recorded pace (1x, 2x, 0.5x) or max");
    }

    @Override
    public String toString() {
        return paced() ? String.format(Locale.ROOT, "%gx", factor) : "max";
    }
}
