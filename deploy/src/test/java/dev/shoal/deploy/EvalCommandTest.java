package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run shoal(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ShoalCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Truth of two animals over 10 frames; tracks name them b and a and sit 2 px to the right. */
    private void writePerfectPair() throws IOException {
        StringBuilder truth = new StringBuilder("frame,identity,x,y,angle,touching\n");
        StringBuilder tracks = new StringBuilder("frame,time_s,identity,x,y,angle,confidence,fragment,interpolated\n");
        for (int f = 0; f < 10; f++) {
            truth.append(f).append(",0,").append(100 + f).append(",50,0,0\n");
            truth.append(f).append(",1,").append(300 - f).append(",50,0,0\n");
            tracks.append(f).append(",0.0,b,").append(102 + f).append(",50,0,0.9,1,0\n");
            tracks.append(f).append(",0.0,a,").append(302 - f).append(",50,0,0.9,2,0\n");
        }
        Files.writeString(dir.resolve("truth.csv"), truth);
        Files.writeString(dir.resolve("trajectories.csv"), tracks);
    }

    @Test
    void printsTheTableAndWritesJsonForAPerfectTracker() throws IOException {
        writePerfectPair();
        Path json = dir.resolve("eval.json");
        Run run = shoal("eval", dir.resolve("truth.csv").toString(), dir.resolve("trajectories.csv").toString(),
                "--radius", "5", "--json", json.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("IDF1") && run.out().contains("1.000000"), run.out());
        JsonNode metrics = new ObjectMapper().readTree(json.toFile()).get("metrics");
        assertEquals(1.0, metrics.get("identity_accuracy").asDouble(), 1e-9);
        assertEquals(1.0, metrics.get("idf1").asDouble(), 1e-9);
        assertEquals(2.0, metrics.get("mean_position_error").asDouble(), 1e-9);
        assertEquals(20, metrics.get("truth_animal_frames").asLong());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")), "temporary file left behind");
        }
    }

    @Test
    void exitsWithCodeTwoAndOneLineNamingFileLineAndColumnOnANonNumericValue() throws IOException {
        writePerfectPair();
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "frame,identity,x,y\n0,a,1,2\n1,a,one,2\n");
        Run run = shoal("eval", dir.resolve("truth.csv").toString(), bad.toString());
        assertEquals(2, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains(bad + " line 3, column 3 (x)"), run.err());
    }

    @Test
    void exitsWithCodeTwoWhenAMappedColumnIsMissing() throws IOException {
        writePerfectPair();
        Run run = shoal("eval", dir.resolve("truth.csv").toString(), dir.resolve("trajectories.csv").toString(),
                "--truth-id", "track_id");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("no column 'track_id'") && run.err().contains("--truth-id"), run.err());
    }

    @Test
    void exitsWithCodeTwoOnAnEmptyTruthFile() throws IOException {
        writePerfectPair();
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        Run run = shoal("eval", empty.toString(), dir.resolve("trajectories.csv").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains(empty + " line 1: empty file"), run.err());
    }

    @Test
    void exitsWithCodeTwoOnANegativeFrame() throws IOException {
        writePerfectPair();
        Path bad = Files.writeString(dir.resolve("neg.csv"), "frame,identity,x,y\n-1,a,1,2\n");
        Run run = shoal("eval", dir.resolve("truth.csv").toString(), bad.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains(bad + " line 2, column 1 (frame): negative frame -1"), run.err());
    }

    @Test
    void scoresTudCampusFromTheCommandLine() throws IOException {
        String shared = System.getProperty("shoal.shared.data");
        Path campus = shared == null ? null : Path.of(shared, "motmetrics", "TUD-Campus");
        assumeTrue(campus != null && Files.isDirectory(campus), "shared data not found: set -Dshoal.shared.data");
        Path json = dir.resolve("tud.json");
        Run run = shoal("eval", campus.resolve("gt.txt").toString(), campus.resolve("test.txt").toString(),
                "--format", "mot15", "--iou", "0.5", "--json", json.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode metrics = new ObjectMapper().readTree(json.toFile()).get("metrics");
        assertEquals(0.557659, metrics.get("idf1").asDouble(), 1e-3);
        assertEquals(0.526462, metrics.get("mota").asDouble(), 1e-3);
        assertEquals(7, metrics.get("id_switches").asLong());
    }
}
