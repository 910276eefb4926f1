package dev.shoal.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.Blob;
import dev.shoal.core.proto.BlobKind;
import dev.shoal.core.proto.FrameBlobs;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.StimulusCommand;
import dev.shoal.core.proto.Track;
import dev.shoal.core.proto.TrainingMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {

    private static final String SESSION = "s1";
    private static final long CAPTURE_WALL_NS = 1_700_000_000_000_000_000L;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics metrics = new PipelineMetrics(SESSION, 4);

    PipelineMetricsTest() {
        metrics.bindTo(registry);
    }

    private static FrameBlobs blobs(long index, BlobKind... kinds) {
        FrameBlobs.Builder frame = FrameBlobs.newBuilder().setSession(SESSION).setIndex(index)
                .setWallTimeNs(CAPTURE_WALL_NS).setSegmentNs(3_000_000);
        for (BlobKind kind : kinds) {
            frame.addBlobs(Blob.newBuilder().setKind(kind));
        }
        return frame.build();
    }

    private static FrameTracks tracks(long index, long modelVersion, double... confidences) {
        FrameTracks.Builder frame = FrameTracks.newBuilder().setSession(SESSION).setIndex(index)
                .setWallTimeNs(CAPTURE_WALL_NS).setModelVersion(modelVersion);
        for (int i = 0; i < confidences.length; i++) {
            frame.addTracks(Track.newBuilder().setIdentity(confidences[i] > 0 ? i + 1 : 0).setConfidence(confidences[i]));
        }
        return frame.build();
    }

    private double value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(registry.scrape());
        assertTrue(m.find(), "no " + series + " in:\n" + registry.scrape());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void blobsCountFramesLatencyBlobsAndTheCrossingShare() {
        long publishedMs = CAPTURE_WALL_NS / 1_000_000 + 12;
        metrics.observe(blobs(0, BlobKind.INDIVIDUAL, BlobKind.INDIVIDUAL, BlobKind.CROSSING), publishedMs);
        metrics.observe(blobs(1, BlobKind.INDIVIDUAL, BlobKind.INDIVIDUAL, BlobKind.INDIVIDUAL, BlobKind.INDIVIDUAL),
                publishedMs);

        assertEquals(2, value("shoal_frames_out_total{session=\"s1\",stage=\"segmenter\"}"));
        assertEquals(2, value("shoal_capture_latency_seconds_count{session=\"s1\",stage=\"segmenter\"}"));
        assertEquals(0.024, value("shoal_capture_latency_seconds_sum{session=\"s1\",stage=\"segmenter\"}"), 1e-9);
        assertEquals(7, value("shoal_blobs_per_frame_sum{session=\"s1\",stage=\"segmenter\"}"));
        assertEquals(1.0 / 7, value("shoal_blobs_crossing_ratio{session=\"s1\",stage=\"segmenter\"}"), 1e-12);
        assertEquals(0.006, value("shoal_stage_processing_seconds_sum{session=\"s1\",stage=\"segmenter\"}"), 1e-9);
    }

    @Test
    void identifiedShareCountsOnlyModelGivenIdentitiesOverTheAnimals() {
        metrics.observe(tracks(0, 0, 0, 0, 0, 0), 0);
        metrics.observe(tracks(1, 2, 0.9, 0.7, 0, 0.8), 0);

        assertEquals(2, value("shoal_frames_out_total{session=\"s1\",stage=\"identifier\"}"));
        assertEquals(3.0 / 8, value("shoal_tracks_identified_ratio{session=\"s1\",stage=\"identifier\"}"), 1e-12);
        assertEquals(0.8, value("shoal_identity_certainty_ratio{session=\"s1\",stage=\"identifier\"}"), 1e-12);
    }

    @Test
    void theRatiosForgetFramesOlderThanTheWindow() {
        for (int i = 0; i < PipelineMetrics.WINDOW_FRAMES; i++) {
            metrics.observe(blobs(i, BlobKind.CROSSING), 0);
        }
        for (int i = 0; i < PipelineMetrics.WINDOW_FRAMES; i++) {
            metrics.observe(blobs(PipelineMetrics.WINDOW_FRAMES + i, BlobKind.INDIVIDUAL), 0);
        }

        assertEquals(0, value("shoal_blobs_crossing_ratio{session=\"s1\",stage=\"segmenter\"}"));
    }

    @Test
    void modelReleasesSetVersionAccuracyAndTrainingFigures() {
        metrics.observe(ModelRelease.newBuilder().setSession(SESSION).setVersion(1).setOnnx(ByteString.copyFromUtf8("m"))
                .setCreatedWallTimeNs(System.currentTimeMillis() * 1_000_000L)
                .setMetrics(TrainingMetrics.newBuilder().setValidationAccuracy(0.97).setTrainingSeconds(4.5)).build(), 0);
        // A release without a model (nothing to learn from) is not a training run.
        metrics.observe(ModelRelease.newBuilder().setSession(SESSION).setVersion(2).setNote("no global fragment").build(), 0);

        assertEquals(1, value("shoal_model_version{session=\"s1\",stage=\"trainer\"}"));
        assertEquals(0.97, value("shoal_model_validation_accuracy_ratio{session=\"s1\",stage=\"trainer\"}"), 1e-12);
        assertEquals(1, value("shoal_training_runs_total{session=\"s1\",stage=\"trainer\"}"));
        assertEquals(4.5, value("shoal_training_duration_seconds_sum{session=\"s1\",stage=\"trainer\"}"), 1e-12);
        assertTrue(value("shoal_model_age_seconds{session=\"s1\",stage=\"trainer\"}") >= 0);
    }

    @Test
    void stimulusCommandsCountAndRecordTheirOwnLatency() {
        metrics.observe(StimulusCommand.newBuilder().setSession(SESSION).setRule("zone").setLatencyNs(7_000_000).build(), 0);

        assertEquals(1, value("shoal_stimulus_commands_total{session=\"s1\",stage=\"stimulus\"}"));
        assertEquals(0.007, value("shoal_capture_latency_seconds_sum{session=\"s1\",stage=\"stimulus\"}"), 1e-12);
    }

    @Test
    void otherSessionsAreIgnored() {
        metrics.observe(blobs(0, BlobKind.INDIVIDUAL).toBuilder().setSession("other").build(), 0);

        assertEquals(0, value("shoal_frames_out_total{session=\"s1\",stage=\"segmenter\"}"));
    }

    @Test
    void aServiceObservingEverySessionCountsEachUnderItsOwnLabelFromItsFirstRecord() {
        PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics service = new PipelineMetrics(null, 4);
        service.bindTo(own);
        assertFalse(own.scrape().contains("shoal_"), "no session's meters before its first record");

        service.observe(blobs(0, BlobKind.INDIVIDUAL), 0);
        service.observe(blobs(0, BlobKind.INDIVIDUAL).toBuilder().setSession("s2").build(), 0);
        service.observe(blobs(1, BlobKind.INDIVIDUAL).toBuilder().setSession("s2").build(), 0);

        String scrape = own.scrape();
        assertTrue(scrape.contains("shoal_frames_out_total{session=\"s1\",stage=\"segmenter\"} 1.0"), scrape);
        assertTrue(scrape.contains("shoal_frames_out_total{session=\"s2\",stage=\"segmenter\"} 2.0"), scrape);
        assertFalse(scrape.contains("stage=\"identifier\""), "only the stages seen get meters");
    }

    @Test
    void everySeriesIsLabelledBySessionAndStageOnly() {
        metrics.observe(blobs(0, BlobKind.INDIVIDUAL), CAPTURE_WALL_NS / 1_000_000);
        Set<String> labels = registry.scrape().lines()
                .filter(line -> line.startsWith("shoal_"))
                .map(line -> line.substring(line.indexOf('{') + 1, line.indexOf('}')))
                .flatMap(inner -> Arrays.stream(inner.split(",")))
                .map(pair -> pair.substring(0, pair.indexOf('=')))
                .collect(Collectors.toSet());

        assertEquals(Set.of("session", "stage", "le"), labels, "le only on histogram buckets");
        assertFalse(registry.scrape().contains("shoal_frames_out{"), "counters end in _total");
    }
}
