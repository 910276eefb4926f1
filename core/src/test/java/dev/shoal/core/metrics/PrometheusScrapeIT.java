package dev.shoal.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus server (Debian package {@code prometheus}) scrapes a {@link MetricsEndpoint} every second. */
class PrometheusScrapeIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void prometheusSeesACounterIncrease() throws Exception {
        Optional<Path> binary = prometheusBinary();
        Assumptions.assumeTrue(binary.isPresent(),
                "no prometheus binary on PATH: install the Debian package prometheus (.ci/run does) to run this test");
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            Counter frames = endpoint.registry().counter("shoal.it.frames", "stage", "scrape-test");
            frames.increment(5);
            int webPort = freePort();
            Path config = temp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: shoal-it
                        metrics_path: /metrics
                        static_configs:
                          - targets: ['localhost:%d']
                    """.formatted(endpoint.port()));
            Path log = temp.resolve("prometheus.log");
            Process prometheus = new ProcessBuilder(binary.get().toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + temp.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + webPort)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                String api = "http://127.0.0.1:" + webPort;
                double first = awaitValue(api, "shoal_it_frames_total{stage=\"scrape-test\"}", v -> v >= 5, prometheus, log);
                assertEquals(5.0, first);
                assertEquals(1.0, awaitValue(api, "up{job=\"shoal-it\"}", v -> v == 1, prometheus, log));
                assertTrue(awaitValue(api, "jvm_memory_used_bytes{area=\"heap\",id=~\".+\"}", v -> v > 0, prometheus, log) > 0);

                frames.increment(7);

                assertEquals(12.0, awaitValue(api, "shoal_it_frames_total{stage=\"scrape-test\"}", v -> v > first, prometheus, log));
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** Polls the instant-query API until the first series of {@code query} satisfies {@code accept}. */
    private static double awaitValue(String api, String query, DoublePredicate accept, Process prometheus, Path log)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        OptionalDouble last = OptionalDouble.empty();
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited with " + prometheus.exitValue() + ":\n" + Files.readString(log));
            }
            last = query(api, query);
            if (last.isPresent() && accept.test(last.getAsDouble())) {
                return last.getAsDouble();
            }
            Thread.sleep(250);
        }
        fail("prometheus never reported an accepted value for " + query + " within " + PATIENCE.toSeconds()
                + " s (last: " + last + "); its log:\n" + Files.readString(log));
        return Double.NaN;
    }

    private static OptionalDouble query(String api, String query) throws InterruptedException {
        URI uri = URI.create(api + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return OptionalDouble.empty();
            }
            JsonNode result = JSON.readTree(response.body()).path("data").path("result");
            if (!result.isArray() || result.isEmpty()) {
                return OptionalDouble.empty();
            }
            // An instant vector sample is [unix time, "value"].
            return OptionalDouble.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
        } catch (IOException notUpYet) {
            return OptionalDouble.empty();
        }
    }

    private static Optional<Path> prometheusBinary() {
        String path = System.getenv().getOrDefault("PATH", "");
        try (Stream<String> dirs = Stream.of(path.split(File.pathSeparator))) {
            return dirs.filter(dir -> !dir.isEmpty())
                    .map(dir -> Path.of(dir, "prometheus"))
                    .filter(Files::isExecutable)
                    .findFirst();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
