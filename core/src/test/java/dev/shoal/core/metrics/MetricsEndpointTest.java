package dev.shoal.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

class MetricsEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesRegisteredCounterAndJvmMetricsAsPrometheusText() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            assertTrue(endpoint.port() > 0);
            endpoint.registry().counter("shoal.test.frames", "stage", "ingest").increment(3);

            HttpResponse<String> response = get(endpoint.port(), "/metrics");

            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            String body = response.body();
            assertTrue(body.contains("shoal_test_frames_total{stage=\"ingest\"} 3.0"), body);
            for (String jvmMetric : new String[] {"jvm_memory_used_bytes", "jvm_classes_loaded_classes",
                    "jvm_threads_live_threads", "process_uptime_seconds", "system_cpu_count", "jvm_gc_"}) {
                assertTrue(body.contains(jvmMetric), "missing " + jvmMetric);
            }
        }
    }

    @Test
    void servesIngestCountsFromTheirSuppliersAndClosesBoundBindersWithItself() throws Exception {
        AtomicLong published = new AtomicLong();
        AtomicBoolean closed = new AtomicBoolean();
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            endpoint.bind(new IngestMetrics("s1", () -> 12, published::get, () -> 1));
            endpoint.bind(new ClosingBinder(closed));
            published.set(11);

            String body = get(endpoint.port(), "/metrics").body();

            assertTrue(body.contains("shoal_frames_in_total{session=\"s1\",stage=\"ingest\"} 12.0"), body);
            assertTrue(body.contains("shoal_frames_out_total{session=\"s1\",stage=\"ingest\"} 11.0"), body);
            assertTrue(body.contains("shoal_frames_dropped_total{session=\"s1\",stage=\"ingest\"} 1.0"), body);
            assertFalse(closed.get());
        }
        assertTrue(closed.get(), "a bound AutoCloseable binder is closed with the endpoint");
    }

    /** A binder with something to release. */
    private record ClosingBinder(AtomicBoolean closed) implements MeterBinder, AutoCloseable {
        @Override
        public void bindTo(MeterRegistry registry) {
            registry.counter("shoal.test.bound");
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void answersOtherPathsWithNotFound() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            assertEquals(404, get(endpoint.port(), "/metricsx").statusCode());
            assertEquals(404, get(endpoint.port(), "/").statusCode());
        }
    }

    @Test
    void reportsPortInUseAsOneLineBadInput() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            int port = taken.getLocalPort();

            BadInputException e = assertThrows(BadInputException.class, () -> MetricsEndpoint.start(port));

            assertEquals("--metrics-port " + port + ": already in use; give a free port or 0", e.getMessage());
        }
    }

    @Test
    void rejectsPortOutOfRange() {
        BadInputException e = assertThrows(BadInputException.class, () -> MetricsEndpoint.start(70000));
        assertEquals("--metrics-port 70000: not a TCP port; give 1..65535, or 0 for any free port", e.getMessage());
    }

    @Test
    void stopsServingWhenClosed() {
        MetricsEndpoint endpoint = MetricsEndpoint.start(0);
        int port = endpoint.port();
        endpoint.close();
        assertThrows(ConnectException.class, () -> get(port, "/metrics"));
    }
}
