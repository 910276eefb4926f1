package dev.shoal.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shoal.core.io.AtomicFile;
import dev.shoal.deploy.bench.BenchResult.GoalCheck;
import dev.shoal.deploy.bench.BenchScenario.Goals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleFunction;

/**
 * The benchmark's results as one table: each scenario's goals judged against the run, printed and
 * written as Markdown ({@code bench.md}) and JSON ({@code bench.json}).
 */
public record BenchReport(int version, String scenarios, String suite, String machine, String started,
                          List<BenchResult> results) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Judges every scenario's goals on its shoal row (a goal of a run that failed is missed). */
    static List<BenchResult> judge(List<BenchScenario> scenarios, List<BenchResult> results) {
        List<BenchResult> judged = new ArrayList<>();
        for (BenchResult row : results) {
            Goals goals = scenarios.stream().filter(s -> s.name().equals(row.scenario())).findFirst()
                    .map(BenchScenario::goals).orElse(null);
            List<GoalCheck> checks = new ArrayList<>();
            if (goals != null && row.shoal() && !row.status().equals("skipped")) {
                boolean ran = row.ok();
                if (goals.identityAccuracy() != null) {
                    checks.add(atLeast("identity accuracy apart", goals.identityAccuracy(), row.identityAccuracy(), ran));
                }
                if (goals.idf1() != null) {
                    checks.add(atLeast("IDF1", goals.idf1(), row.idf1(), ran));
                }
                if (goals.wallSeconds() != null) {
                    checks.add(atMost("wall s", goals.wallSeconds(), row.wallSeconds(), ran, v -> format(v, 1)));
                }
                if (goals.peakRssMb() != null) {
                    checks.add(atMost("peak RSS MB", goals.peakRssMb(), row.peakRssMb(), ran && row.peakRssMb() > 0,
                            v -> format(v, 0)));
                }
                if (goals.rssRatio() != null) {
                    Optional<BenchResult> other = shoalRow(results, goals.rssRatio().to());
                    double ratio = other.filter(o -> o.peakRssMb() > 0).map(o -> row.peakRssMb() / o.peakRssMb())
                            .orElse(Double.NaN);
                    checks.add(atMost("RSS / " + goals.rssRatio().to(), goals.rssRatio().atMost(), ratio,
                            ran && !Double.isNaN(ratio), v -> format(v, 2)));
                }
                if (goals.idf1Above() != null) {
                    double peer = results.stream().filter(r -> r.scenario().equals(row.scenario())
                            && r.tracker().equals(goals.idf1Above())).mapToDouble(BenchResult::idf1).findFirst()
                            .orElse(Double.NaN);
                    boolean met = ran && row.idf1() > peer;
                    checks.add(new GoalCheck("IDF1 " + format(row.idf1(), 4) + " > " + goals.idf1Above() + "'s "
                            + format(peer, 4), met));
                }
            }
            judged.add(row.withGoals(checks));
        }
        return judged;
    }

    private static Optional<BenchResult> shoalRow(List<BenchResult> results, String scenario) {
        return results.stream().filter(r -> r.scenario().equals(scenario) && r.shoal()
                && r.ok()).findFirst();
    }

    private static GoalCheck atLeast(String what, double target, double value, boolean ran) {
        return new GoalCheck(what + " " + format(value, 4) + " >= " + format(target, 4), ran && value >= target);
    }

    private static GoalCheck atMost(String what, double target, double value, boolean ran, DoubleFunction<String> f) {
        return new GoalCheck(what + " " + f.apply(value) + " <= " + f.apply(target), ran && value <= target);
    }

    /** The table as Markdown, with a heading naming the scenario set, suite and machine. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "shoal bench: scenario set v%d (%s), suite %s, %s, %s%n%n", version,
                scenarios, suite, machine, started));
        md.append("| scenario | tracker | frames | size | wall s | fps | x real time | vs decode alone | peak RSS MB"
                + " | identity accuracy (apart) | identity accuracy (all) | IDF1 | ID switches | coverage"
                + " | frames all identified | goals |\n");
        md.append("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (BenchResult r : results) {
            boolean peer = !r.shoal();
            md.append("| ").append(r.scenario()).append(" | ").append(r.tracker());
            if (!r.ok()) {
                md.append(" | ").append(r.status()).append(": ").append(r.note().replace('|', '/'))
                        .append(" | | | | | | | | | | | | | |\n");
                continue;
            }
            md.append(" | ").append(r.frames()).append(" | ").append(r.resolution())
                    .append(" | ").append(peer ? "" : format(r.wallSeconds(), 1))
                    .append(" | ").append(peer ? "" : format(r.fps(), 1))
                    .append(" | ").append(peer ? "" : format(r.realTimeFactor(), 2))
                    .append(" | ").append(peer ? "" : format(r.ratioToDecode(), 2) + " (decode " + format(r.decodeFps(), 0)
                            + " fps)")
                    .append(" | ").append(peer || r.peakRssMb() == 0 ? "" : format(r.peakRssMb(), 0))
                    .append(" | ").append(format(r.identityAccuracy(), 4))
                    .append(" | ").append(format(r.identityAccuracyAllFrames(), 4))
                    .append(" | ").append(format(r.idf1(), 4))
                    .append(" | ").append(format(r.idSwitches(), 0))
                    .append(" | ").append(format(r.coverage(), 4))
                    .append(" | ").append(format(r.allIdentified(), 4))
                    .append(" | ").append(goals(r.goals())).append(" |\n");
        }
        return md.toString();
    }

    private static String goals(List<GoalCheck> checks) {
        List<String> cells = new ArrayList<>();
        for (GoalCheck c : checks) {
            cells.add((c.met() ? "met: " : "MISSED: ") + c.goal());
        }
        return String.join("; ", cells);
    }

    private static String format(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Writes bench.md and bench.json into {@code dir}, each to a temporary name first. */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFile.write(dir.resolve("bench.md"), markdown().getBytes(StandardCharsets.UTF_8));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", version);
        json.put("scenarios", scenarios);
        json.put("suite", suite);
        json.put("machine", machine);
        json.put("started", started);
        json.put("results", results);
        AtomicFile.write(dir.resolve("bench.json"), JSON.writeValueAsBytes(json));
    }
}
