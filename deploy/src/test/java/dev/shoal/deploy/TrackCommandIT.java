package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.identifier.TrajectoryCsvWriter;
import dev.shoal.ingest.VideoFileSource;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.WarmUp;
import dev.shoal.trainer.TrainingMethod;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shoal track} end to end through a real in-process Kafka broker. */
class TrackCommandIT {

    @TempDir
    Path temp;

    @Test
    void tracksFourSeparateEllipsesWithinOnePixelAndKeepsTheirFragments() throws Exception {
        int frames = 120;
        Path video = temp.resolve("ellipses.mkv");
        MovingEllipsesVideo.write(video, frames);
        Path out = temp.resolve("out");

        int code = ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "track", video.toString(),
                "--animals", "4", "--out", out.toString(), "--work-dir", temp.toString(), "--parquet");

        assertEquals(0, code);
        List<String[]> rows = readCsv(out.resolve("trajectories.csv"));
        FileMetaData parquet = parquetFooter(out.resolve("trajectories.parquet"));
        assertEquals(rows.size(), parquet.getNum_rows(), "trajectories.parquet holds the rows of trajectories.csv");
        assertEquals(TrajectoryCsvWriter.HEADER, parquet.getSchema().stream().skip(1).map(SchemaElement::getName)
                .collect(Collectors.joining(",")), "the CSV's columns, in its order");
        Map<Integer, Long> fragmentOfEllipse = new HashMap<>();
        Map<Long, Integer> rowsPerFrame = new HashMap<>();
        for (String[] row : rows) {
            long frame = Long.parseLong(row[0]);
            double x = Double.parseDouble(row[3]);
            double y = Double.parseDouble(row[4]);
            long fragment = Long.parseLong(row[7]);
            rowsPerFrame.merge(frame, 1, Integer::sum);
            int nearest = nearestEllipse(frame, x, y);
            double[] truth = MovingEllipsesVideo.centre(nearest, frame);
            double error = Math.hypot(x - truth[0], y - truth[1]);
            assertTrue(error < 1.0, "frame " + frame + ": position error " + error + " px");
            Long previous = fragmentOfEllipse.putIfAbsent(nearest, fragment);
            assertEquals(previous == null ? fragment : previous, fragment,
                    "ellipse " + nearest + " changed fragment at frame " + frame);
        }
        assertEquals(frames, rowsPerFrame.size(), "every frame has tracks");
        rowsPerFrame.forEach((frame, n) -> assertEquals(4, n, "tracks in frame " + frame));
        assertEquals(4, new HashSet<>(fragmentOfEllipse.values()).size(), "four distinct fragments");

        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(frames, summary.get("frames").asLong());
        assertEquals(1.0, summary.get("frames_with_all_animals").asDouble(), 1e-9);
        assertTrue(summary.get("stage_seconds").has("segmenter"));
        assertEquals(1, summary.get("global_fragments").asLong(), "four ellipses apart all along");
        assertEquals(0, summary.get("identities").get("repairs").get("rows_interpolated").asLong(),
                "four ellipses seen in every frame: nothing to interpolate");
        try (var files = Files.list(out)) {
            assertEquals(Set.of("trajectories.csv", "trajectories_wide.csv", "trajectories.parquet", "summary.json",
                    "trajectories.png", "model.onnx"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()), "no temporary files left");
        }
    }

    @Test
    void trackWithAMetricsEndpointCountsEveryFrameIngestPublished() throws Exception {
        int frames = 60;
        Path video = temp.resolve("ellipses.mkv");
        MovingEllipsesVideo.write(video, frames);
        try (VideoFileSource source = VideoFileSource.open(video);
             MetricsEndpoint metrics = MetricsEndpoint.start(0)) {
            TrackJob job = new TrackJob(source, 4, Files.createDirectories(temp.resolve("metrics-out")), null, temp,
                    new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 10, source.width() * source.height() / 10, 0),
                    new WarmUp(0, 60, 0, 4, true), TrainingMethod.CLASSIC, metrics,
                    false);

            TrackSummary summary = job.run(new PrintWriter(new StringWriter()));

            assertEquals(frames, summary.frames());
            assertEquals(frames, metrics.registry().get("shoal.frames.out").tag("stage", "ingest").functionCounter().count());
            assertEquals(0, metrics.registry().get("shoal.frames.dropped").tag("stage", "ingest").functionCounter().count());
            String scrape = ((PrometheusMeterRegistry) metrics.registry()).scrape();
            assertTrue(scrape.contains("shoal_frames_out_total{session=\"" + summary.session() + "\",stage=\"ingest\"} 60.0"),
                    scrape);
            assertTrue(scrape.contains("shoal_capture_latency_seconds_count{session=\"" + summary.session()
                    + "\",stage=\"identifier\"}"), scrape);
        }
    }

    @Test
    void tracksThreeRealFliesAndWritesAWellFormedCsv() throws Exception {
        Path video = sharedData().resolve("dreem/three_flies.mp4");
        Assumptions.assumeTrue(Files.isRegularFile(video),
                "skipped: " + video + " is absent (the real clips live in ../shared/data)");
        Path out = temp.resolve("flies");

        int code = ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "track", video.toString(),
                "--animals", "3", "--out", out.toString(), "--work-dir", temp.toString(),
                // Light flies on a dark mesh, wings and debris around them: bodies only.
                "--polarity", "LIGHT_ON_DARK", "--threshold", "100", "--min-area", "300", "--opening", "2");

        assertEquals(0, code);
        List<String[]> rows = readCsv(out.resolve("trajectories.csv"));
        Map<Long, Integer> perFrame = new HashMap<>();
        for (String[] row : rows) {
            assertEquals(9, row.length);
            double x = Double.parseDouble(row[3]);
            double y = Double.parseDouble(row[4]);
            assertTrue(x >= 0 && x < 1024 && y >= 0 && y < 1024, "position inside the frame");
            assertTrue(row[8].equals("0") || row[8].equals("1"));
            perFrame.merge(Long.parseLong(row[0]), 1, Integer::sum);
        }
        long withThree = perFrame.values().stream().filter(n -> n == 3).count();
        assertTrue(withThree > 0.8 * 128, "frames with 3 blobs: " + withThree + " of 128");
    }

    /**
     * The footer of a Parquet file, read as parquet-java's format module reads it (the file ends with the
     * footer, its length as 4 little-endian bytes, and "PAR1"); no Hadoop on this class path.
     */
    private static FileMetaData parquetFooter(Path parquet) throws IOException {
        byte[] file = Files.readAllBytes(parquet);
        int end = file.length;
        assertEquals("PAR1", new String(file, end - 4, 4, StandardCharsets.US_ASCII), "Parquet magic at the end");
        int footer = ByteBuffer.wrap(file, end - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return Util.readFileMetaData(new ByteArrayInputStream(file, end - 8 - footer, footer));
    }

    static Path sharedData() {
        return Path.of(System.getProperty("shoal.shared.data", "../../shared/data"));
    }

    private static int nearestEllipse(long frame, double x, double y) {
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int k = 0; k < MovingEllipsesVideo.animals(); k++) {
            double[] c = MovingEllipsesVideo.centre(k, frame);
            double d = Math.hypot(x - c[0], y - c[1]);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    static List<String[]> readCsv(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("frame,time_s,identity,x,y,angle,confidence,fragment,interpolated", lines.get(0));
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(line.split(",", -1));
        }
        return rows;
    }
}
