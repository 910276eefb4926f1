package dev.shoal.core.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shoal.core.BadInputException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Prometheus registry with the JVM and process binders, served as text on {@code /metrics} by the
 * JDK's HTTP server on every interface, so that a Prometheus server elsewhere in a cluster can scrape
 * it. Services register their own meters on {@link #registry()}. Closing stops the server and the
 * binders.
 */
public final class MetricsEndpoint implements Closeable {

    public static final String PATH = "/metrics";
    /** Prometheus text exposition 0.0.4: every Prometheus server reads it. */
    public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    // Kafka clients create per-partition metrics (lag) after assignment; Micrometer's default 60 s
    // rescan would hide a new partition's lag for a minute.
    private static final Duration KAFKA_METRICS_RESCAN = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<MeterBinder> bound = new ArrayList<>();
    private ScheduledExecutorService kafkaRescans;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
        this.registry = registry;
        this.server = server;
    }

    /**
     * Serves a new registry on {@code port} (0: an ephemeral port, see {@link #port()}).
     *
     * @throws BadInputException when the port is out of range or already in use
     */
    public static MetricsEndpoint start(int port) {
        if (port < 0 || port > 65535) {
            throw new BadInputException("--metrics-port " + port + ": not a TCP port; give 1..65535, or 0 for any free port");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (BindException e) {
            throw new BadInputException("--metrics-port " + port + ": already in use; give a free port or 0", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, server);
        endpoint.bindJvmAndProcess();
        server.createContext(PATH, endpoint::serve);
        server.start();
        LOG.info("metrics on http://localhost:{}{}", endpoint.port(), PATH);
        return endpoint;
    }

    private void bindJvmAndProcess() {
        JvmGcMetrics gc = new JvmGcMetrics();
        closeables.add(gc);
        List<MeterBinder> binders = List.of(new ClassLoaderMetrics(), new JvmMemoryMetrics(), gc,
                new ProcessorMetrics(), new JvmThreadMetrics(), new UptimeMetrics());
        binders.forEach(binder -> binder.bindTo(registry));
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
            registry.scrape(body, TEXT_FORMAT);
            exchange.getResponseHeaders().set("Content-Type", TEXT_FORMAT);
            exchange.sendResponseHeaders(200, body.size());
            try (OutputStream out = exchange.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }

    /** Where services register their meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Binds {@code binder} to this endpoint's registry and keeps it (Micrometer holds function meters'
     * objects weakly) until the endpoint closes, which also closes it when it is {@link AutoCloseable},
     * before the server's own binders.
     */
    public synchronized <B extends MeterBinder> B bind(B binder) {
        binder.bindTo(registry);
        bound.add(binder);
        if (binder instanceof AutoCloseable closeable) {
            closeables.add(0, closeable);
        }
        return binder;
    }

    /** The port the server is bound to (the ephemeral one when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Publishes a Kafka consumer's client metrics, among them the records lag per topic and partition
     * ({@code kafka_consumer_fetch_manager_records_lag}), until this endpoint closes.
     */
    public synchronized void bindKafkaConsumer(Consumer<?, ?> consumer, Iterable<Tag> tags) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, tags, kafkaRescans(), KAFKA_METRICS_RESCAN);
        metrics.bindTo(registry);
        closeables.add(metrics);
    }

    /** Publishes a Kafka producer's client metrics (send rates, errors, batch sizes) until this endpoint closes. */
    public synchronized void bindKafkaProducer(Producer<?, ?> producer, Iterable<Tag> tags) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(producer, tags, kafkaRescans(), KAFKA_METRICS_RESCAN);
        metrics.bindTo(registry);
        closeables.add(metrics);
    }

    private synchronized ScheduledExecutorService kafkaRescans() {
        if (kafkaRescans == null) {
            kafkaRescans = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "metrics-kafka-rescan");
                thread.setDaemon(true);
                return thread;
            });
        }
        return kafkaRescans;
    }

    @Override
    public synchronized void close() {
        server.stop(0);
        if (kafkaRescans != null) {
            kafkaRescans.shutdownNow();
        }
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing a metrics binder: {}", e.toString());
            }
        }
        registry.close();
    }
}
