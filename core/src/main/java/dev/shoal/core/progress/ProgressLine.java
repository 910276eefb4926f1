package dev.shoal.core.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A periodic progress line for long work: items done, rate, ETA, and an optional detail. On a
 * terminal it rewrites one line; otherwise (logs, CI) it prints a new line each period.
 */
public final class ProgressLine implements AutoCloseable {

    private final String label;
    private final String unit;
    private final LongSupplier done;
    private final long total;
    private final Supplier<String> detail;
    private final PrintWriter out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    /**
     * @param total items expected, or a value below 1 when unknown (then no ETA is shown)
     */
    public ProgressLine(String label, String unit, LongSupplier done, long total, Supplier<String> detail,
                        PrintWriter out, Duration period) {
        this.label = label;
        this.unit = unit;
        this.done = done;
        this.total = total;
        this.detail = detail;
        this.out = out;
        this.terminal = System.console() != null;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-" + label);
            t.setDaemon(true);
            return t;
        });
        long ms = period.toMillis();
        timer.scheduleAtFixedRate(this::print, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The line as it would print now. */
    public String render() {
        long n = done.getAsLong();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? n / seconds : 0;
        StringBuilder line = new StringBuilder(label).append(": ").append(n);
        if (total > 0) {
            line.append('/').append(total).append(' ').append(unit)
                    .append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * n / total));
        } else {
            line.append(' ').append(unit);
        }
        line.append(String.format(Locale.ROOT, ", %.1f %s/s", rate, unit));
        if (total > 0 && rate > 0) {
            line.append(String.format(Locale.ROOT, ", ETA %.0f s", Math.max(0, total - n) / rate));
        }
        String extra = detail == null ? null : detail.get();
        if (extra != null && !extra.isEmpty()) {
            line.append(", ").append(extra);
        }
        return line.toString();
    }

    private void print() {
        if (terminal) {
            out.print("\r" + render() + "\u001b[K");
        } else {
            out.println(render());
        }
        out.flush();
    }

    /** Stops printing and prints the final line. */
    @Override
    public void close() {
        timer.shutdownNow();
        print();
        if (terminal) {
            out.println();
        }
    }
}
