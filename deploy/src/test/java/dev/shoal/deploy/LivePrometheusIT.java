package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.ingest.FrameSource;
import dev.shoal.ingest.FrameSources;
import dev.shoal.ingest.SourceOptions;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.WarmUp;
import dev.shoal.trainer.TrainingMethod;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian package {@code prometheus}) scrapes a running live pipeline every
 * second; its HTTP API must show the frame counter and the capture-latency histogram, both growing.
 */
class LivePrometheusIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void prometheusSeesTheFrameCounterAndTheLatencyHistogramGrow() throws Exception {
        Optional<Path> binary = prometheusBinary();
        Assumptions.assumeTrue(binary.isPresent(),
                "no prometheus binary on PATH: install the Debian package prometheus (.ci/run does) to run this test");
        try (FrameSource source = FrameSources.openArena("arena:animals=4,fps=30,size=320x320,seed=5",
                SourceOptions.defaults().withPaced(true), new DeferredTruthListener());
             MetricsEndpoint metrics = MetricsEndpoint.start(0)) {
            LiveJob job = new LiveJob(source, null, new LiveJob.Settings(4, Files.createDirectories(temp.resolve("out")),
                    null, temp, new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 10, 320 * 320 / 10, 0),
                    new WarmUp(1, 30, 0, 4, true), null, 32, "cam0", null, TrainingMethod.CLASSIC, false), metrics);
            CompletableFuture<LiveReport> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return job.run(new PrintWriter(new StringWriter()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int webPort = freePort();
            Path config = Files.writeString(temp.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: shoal-live
                        metrics_path: /metrics
                        static_configs:
                          - targets: ['localhost:%d']
                    """.formatted(metrics.port()));
            Path log = temp.resolve("prometheus.log");
            Process prometheus = new ProcessBuilder(binary.get().toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + temp.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String api = "http://127.0.0.1:" + webPort;
                String frames = "shoal_frames_out_total{job=\"shoal-live\",stage=\"ingest\"}";
                String latency = "shoal_capture_latency_seconds_count{job=\"shoal-live\",stage=\"identifier\"}";
                double firstFrames = awaitValue(api, frames, v -> v > 0, prometheus, log, run);
                double firstLatency = awaitValue(api, latency, v -> v > 0, prometheus, log, run);
                awaitValue(api, "shoal_capture_latency_seconds_bucket{job=\"shoal-live\",stage=\"identifier\",le=\"+Inf\"}",
                        v -> v > 0, prometheus, log, run);
                awaitValue(api, "shoal_consumer_lag_records{job=\"shoal-live\",stage=\"segmenter\","
                        + "topic=\"shoal.frames.v1\",partition=\"0\"}", v -> v >= 0, prometheus, log, run);

                assertTrue(awaitValue(api, frames, v -> v > firstFrames, prometheus, log, run) > firstFrames);
                assertTrue(awaitValue(api, latency, v -> v > firstLatency, prometheus, log, run) > firstLatency);
                double p99 = awaitValue(api, "histogram_quantile(0.99, sum by (le) (rate("
                        + "shoal_capture_latency_seconds_bucket{job=\"shoal-live\",stage=\"identifier\"}[5s])))",
                        v -> !Double.isNaN(v), prometheus, log, run);
                assertTrue(p99 > 0, "p99 capture-to-identifier latency from the histogram: " + p99);
            } finally {
                job.requestStop();
                run.get(120, TimeUnit.SECONDS);
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** Polls the instant-query API until the first series of {@code query} satisfies {@code accept}. */
    private static double awaitValue(String api, String query, DoublePredicate accept, Process prometheus, Path log,
                                     CompletableFuture<LiveReport> run) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        OptionalDouble last = OptionalDouble.empty();
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited with " + prometheus.exitValue() + ":\n" + Files.readString(log));
            }
            if (run.isDone()) {
                fail("the live run ended early: " + run.get().describe());
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
            return dirs.filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, "prometheus"))
                    .filter(Files::isExecutable).findFirst();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
