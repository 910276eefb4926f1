package dev.shoal.deploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.deploy.ShoalCommand;
import dev.shoal.identifier.ModelFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reduced scenario set of {@code shoal bench} (issue 9's CI floors): a small easy arena of 5
 * animals and the two-fly clip, each tracked by {@code shoal track} in its own JVM with the trainer
 * and identifier, scored by the evaluator. Accuracy floors only; speed is the benchmark's business.
 */
class BenchCommandIT {

    @TempDir
    Path temp;

    @Test
    void ciSuiteTracksTheEasyArenaAndTheFlyClipWithTheirIdentities() throws Exception {
        Path data = Path.of(System.getProperty("shoal.shared.data", "../../shared/data"));
        Path out = temp.resolve("report");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int code = ShoalCommand.execute(new PrintWriter(stdout), new PrintWriter(stderr), "bench", "--suite", "ci",
                "--data", data.toString(), "--work", temp.resolve("work").toString(), "--out", out.toString());
        assertEquals(0, code, stderr.toString());

        Map<String, JsonNode> shoalRows = new HashMap<>();
        JsonNode report = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
        for (JsonNode row : report.get("results")) {
            if (row.get("tracker").asText().equals("shoal")) {
                shoalRows.put(row.get("scenario").asText(), row);
            }
        }
        JsonNode arena = shoalRows.get("ci-arena-easy-5");
        assertEquals("ok", arena.get("status").asText(), arena.toString());
        assertTrue(arena.get("identity_accuracy").asDouble() >= 0.99, "easy-5 identity accuracy: " + arena);
        assertTrue(arena.get("goals").get(0).get("met").asBoolean(), arena.toString());
        assertTrue(arena.get("peak_rss_mb").asDouble() > 0, "the child JVM's memory was measured");
        assertTrue(Files.readString(out.resolve("bench.md")).contains("| ci-arena-easy-5 | shoal | 900 |"));
        // The model behind the identities is kept, and is one live --model accepts for these animals.
        Path model = temp.resolve("work").resolve("tracked-ci-arena-easy-5").resolve("model.onnx");
        assertEquals(5, ModelFile.read(model, 52, 5).release("check").getClasses());

        JsonNode fly = shoalRows.get("fly-clip");
        assumeTrue(!fly.get("status").asText().equals("skipped"), "fly clip absent: " + fly.get("note").asText());
        assertEquals("ok", fly.get("status").asText(), fly.toString());
        assertTrue(fly.get("identity_accuracy").asDouble() >= 0.95,
                "fly clip: identified in the frames with both flies apart: " + fly);
    }

    @Test
    void unknownSuiteOrScenarioIsOneLineAndExitCodeTwo() {
        StringWriter err = new StringWriter();
        assertEquals(2, ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench",
                "--suite", "nightly", "--work", temp.resolve("w").toString(), "--out", temp.resolve("o").toString()));
        assertTrue(err.toString().startsWith("shoal: --suite nightly: no scenario"), err.toString());
        assertEquals(1, err.toString().strip().lines().count());

        StringWriter err2 = new StringWriter();
        assertEquals(2, ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err2), "bench",
                "--only", "arena-medium-11"));
        assertTrue(err2.toString().contains("--only arena-medium-11: no such scenario"), err2.toString());
    }

    @Test
    void scenarioFileWithAnUnknownFieldNamesTheLineAndField() throws Exception {
        Path file = temp.resolve("mine.yaml");
        Files.writeString(file, "version: 1\nscenarios:\n  - name: a\n    suites: [suite]\n"
                + "    arena: {animals: 2, frames: 10, size: 64, difficulty: easy, colour: red}\n");
        StringWriter err = new StringWriter();
        assertEquals(2, ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench",
                "--scenarios", file.toString()));
        String line = err.toString().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains(file + ": line 5") && line.contains("'scenarios.[0].arena.colour'"), line);

        Files.writeString(file, "version: 1\nscenarios:\n  - name: a\n    suites: [suite]\n");
        StringWriter err2 = new StringWriter();
        assertEquals(2, ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err2), "bench",
                "--scenarios", file.toString()));
        assertTrue(err2.toString().contains("give exactly one of 'arena' and 'clip'"), err2.toString());

        StringWriter err3 = new StringWriter();
        assertEquals(2, ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err3), "bench",
                "--scenarios", temp.resolve("absent.yaml").toString()));
        assertTrue(err3.toString().contains("no such file"), err3.toString());
    }

    @Test
    void builtInScenarioSetHoldsEveryScenarioOfTheIssue() {
        BenchScenarios set = BenchScenarios.builtIn();
        assertEquals(1, set.version());
        assertEquals(List.of("arena-easy-5", "arena-medium-10", "arena-hard-20", "arena-dense-50",
                        "fly-clip", "dreem-three-flies", "dreem-ten-zfish", "mice", "tracktor-spiders"),
                set.select("suite", List.of()).stream().map(BenchScenario::name).toList());
        assertEquals(18000, set.select("speed", List.of()).get(0).arena().frames());
        BenchScenario spiders = set.select("suite", List.of("tracktor-spiders")).get(0);
        assertEquals("shoal vs Tracktor", BenchRunner.shoalLabel(spiders), "no human truth: scored against Tracktor");
        assertEquals(1, spiders.clip().truth().firstFrameOrDefault(), "Tracktor counts frames from 1");
    }
}
