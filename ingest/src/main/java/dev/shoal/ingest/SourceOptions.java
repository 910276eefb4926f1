package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import dev.shoal.core.RegionOfInterest;
import java.time.Duration;

/**
 * How to open a source. Common to every kind: a region of interest, a start and an end (start
 * inclusive, end exclusive; frame index or seconds), a frame stride and a target frame rate, and
 * {@code paced}, which plays a finite source at its own frame rate as if it were live. Per kind:
 * {@code inputFps} for image sequences (and cameras), {@code videoSize} and {@code pixelFormat} for
 * cameras, {@code timeout} for a camera or stream that does not answer, and the reconnect policy of
 * live streams (at most {@code reconnectAttempts} tries in a row, waits doubling from
 * {@code firstBackoff} up to {@code maxBackoff}).
 */
public record SourceOptions(RegionOfInterest roi, StreamPosition start, StreamPosition end, int stride,
                            double targetFps, boolean paced, double inputFps, String videoSize, String pixelFormat,
                            Duration timeout, int reconnectAttempts, Duration firstBackoff, Duration maxBackoff) {

    /** Frame rate of an image sequence when none is given. */
    public static final double DEFAULT_IMAGE_FPS = 25;

    public SourceOptions {
        if (stride < 1) {
            throw new BadInputException("--stride " + stride + ": give 1 (every frame) or more");
        }
        if (targetFps < 0 || Double.isNaN(targetFps)) {
            throw new BadInputException("--target-fps " + targetFps + ": give a positive rate, or 0 for the source's own");
        }
        if (inputFps < 0 || Double.isNaN(inputFps)) {
            throw new BadInputException("--fps " + inputFps + ": give a positive rate, or 0 for the default");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new BadInputException("--timeout " + timeout + ": give a positive time");
        }
        if (reconnectAttempts < 0) {
            throw new BadInputException("--reconnects " + reconnectAttempts + ": give 0 (never) or more");
        }
        if (videoSize != null && !videoSize.matches("\\d+x\\d+")) {
            throw new BadInputException("--size " + videoSize + ": give WIDTHxHEIGHT, e.g. 1280x720");
        }
        if (start != null && end != null && start.isFrame() == end.isFrame()
                && (start.isFrame() ? end.frame() <= start.frame() : end.seconds() <= start.seconds())) {
            throw new BadInputException("--end " + end + ": must come after --start " + start);
        }
    }

    public static SourceOptions defaults() {
        return new SourceOptions(null, null, null, 1, 0, false, 0, null, null, Duration.ofSeconds(10), 10,
                Duration.ofMillis(250), Duration.ofSeconds(8));
    }

    public SourceOptions withRoi(RegionOfInterest value) {
        return new SourceOptions(value, start, end, stride, targetFps, paced, inputFps, videoSize, pixelFormat,
                timeout, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withRange(StreamPosition from, StreamPosition to) {
        return new SourceOptions(roi, from, to, stride, targetFps, paced, inputFps, videoSize, pixelFormat,
                timeout, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withStride(int value) {
        return new SourceOptions(roi, start, end, value, targetFps, paced, inputFps, videoSize, pixelFormat,
                timeout, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withTargetFps(double value) {
        return new SourceOptions(roi, start, end, stride, value, paced, inputFps, videoSize, pixelFormat,
                timeout, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withPaced(boolean value) {
        return new SourceOptions(roi, start, end, stride, targetFps, value, inputFps, videoSize, pixelFormat,
                timeout, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withInputFps(double value) {
        return new SourceOptions(roi, start, end, stride, targetFps, paced, value, videoSize, pixelFormat,
                timeout, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withCamera(String size, String format) {
        return new SourceOptions(roi, start, end, stride, targetFps, paced, inputFps, size, format,
                timeout, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withTimeout(Duration value) {
        return new SourceOptions(roi, start, end, stride, targetFps, paced, inputFps, videoSize, pixelFormat,
                value, reconnectAttempts, firstBackoff, maxBackoff);
    }

    public SourceOptions withReconnects(int attempts, Duration first, Duration max) {
        return new SourceOptions(roi, start, end, stride, targetFps, paced, inputFps, videoSize, pixelFormat,
                timeout, attempts, first, max);
    }

    /** Whether any frame or pixel selection applies, so the source needs a {@link SelectedSource}. */
    boolean selects() {
        return roi != null || start != null || end != null || stride > 1 || targetFps > 0;
    }
}
