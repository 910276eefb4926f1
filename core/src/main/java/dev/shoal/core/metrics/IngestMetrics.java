package dev.shoal.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.LongSupplier;

/**
 * Ingest's frame counts, read from its publisher, labelled {@code stage="ingest"} beside the other
 * stages' ({@link PipelineMetrics}): {@code shoal_frames_in_total} (read from the source),
 * {@code shoal_frames_out_total} (acknowledged by the broker) and {@code shoal_frames_dropped_total}
 * (lost by a live source because publishing fell behind). Micrometer holds a function counter's
 * object weakly: bind it through {@link MetricsEndpoint#bind}, which keeps it while the endpoint serves.
 */
public final class IngestMetrics implements MeterBinder {

    private final String session;
    private final LongSupplier read;
    private final LongSupplier published;
    private final LongSupplier dropped;

    public IngestMetrics(String session, LongSupplier read, LongSupplier published, LongSupplier dropped) {
        this.session = session;
        this.read = read;
        this.published = published;
        this.dropped = dropped;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("shoal.frames.in", this, m -> m.read.getAsLong())
                .description("Frames the stage has consumed and committed")
                .tags("session", session, "stage", "ingest").register(registry);
        FunctionCounter.builder("shoal.frames.out", this, m -> m.published.getAsLong())
                .description("Frames the stage has published")
                .tags("session", session, "stage", "ingest").register(registry);
        FunctionCounter.builder("shoal.frames.dropped", this, m -> m.dropped.getAsLong())
                .description("Frames a live source lost because publishing fell behind")
                .tags("session", session, "stage", "ingest").register(registry);
    }
}
