package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live FFmpeg input (camera or network stream) that reopens itself when it drops: waits double
 * from the first back-off up to the maximum, at most {@code reconnectAttempts} tries in a row, each
 * counted on {@code shoal.ingest.reconnects} and logged. Frame index and media time (seconds since the
 * first frame, on the capture clock) continue across reconnects. The first connection must succeed
 * within the timeout: a stream that never answers is bad input.
 */
public final class ReconnectingSource implements FrameSource {

    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingSource.class);

    private final FFmpegInput input;
    private final SourceOptions options;
    private final Counter reconnects;
    private final int width;
    private final int height;
    private final double fps;
    private FFmpegSource current;
    private long nextIndex;
    private long firstCaptureNs = Long.MIN_VALUE;

    public ReconnectingSource(FFmpegInput input, SourceOptions options, MeterRegistry registry) {
        this.input = input;
        this.options = options;
        this.reconnects = Counter.builder("shoal.ingest.reconnects")
                .description("Times a live source was reopened after it dropped")
                .tag("source", input.label())
                .register(registry);
        this.current = FFmpegSource.open(input);
        this.width = current.width();
        this.height = current.height();
        this.fps = current.fps();
    }

    @Override
    public VideoFrame next() throws IOException {
        while (true) {
            String reason;
            try {
                VideoFrame f = current.next();
                if (f != null) {
                    if (firstCaptureNs == Long.MIN_VALUE) {
                        firstCaptureNs = f.captureTimeNs();
                    }
                    return new VideoFrame(nextIndex++, (f.captureTimeNs() - firstCaptureNs) / 1e9, f.captureTimeNs(),
                            f.wallTimeNs(), width, height, f.gray());
                }
                reason = "no data for " + options.timeout().toMillis() + " ms or the stream ended";
            } catch (IOException e) {
                reason = e.getMessage();
            }
            reconnect(reason);
        }
    }

    private void reconnect(String reason) throws IOException {
        current.close();
        current = null;
        Duration wait = options.firstBackoff();
        String last = reason;
        for (int attempt = 1; attempt <= options.reconnectAttempts(); attempt++) {
            LOG.warn("{}: stream dropped ({}); reconnect {} of {} in {} ms", input.label(), last, attempt,
                    options.reconnectAttempts(), wait.toMillis());
            sleep(wait);
            reconnects.increment();
            try {
                FFmpegSource reopened = FFmpegSource.open(input);
                if (reopened.width() != width || reopened.height() != height) {
                    reopened.close();
                    throw new IOException(input.label() + ": came back at " + reopened.width() + "x"
                            + reopened.height() + " instead of " + width + "x" + height);
                }
                current = reopened;
                LOG.info("{}: reconnected after {} attempt(s)", input.label(), attempt);
                return;
            } catch (BadInputException e) {
                last = e.getMessage();
            }
            wait = wait.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : wait.multipliedBy(2);
        }
        throw new IOException(input.label() + ": stream lost after frame " + (nextIndex - 1) + "; "
                + options.reconnectAttempts() + " reconnect attempts failed (" + last + ")");
    }

    private static void sleep(Duration wait) throws InterruptedIOException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("reconnect interrupted");
        }
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public long frameCount() {
        return -1;
    }

    @Override
    public boolean live() {
        return true;
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
