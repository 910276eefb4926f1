package dev.shoal.deploy.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.shoal.deploy.OutputDirectory;
import java.lang.management.ManagementFactory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shoal bench}: the fixed scenario set, tracked and scored, as one table. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run a versioned set of scenarios (synthetic arenas and real clips): FFmpeg decoding",
                "each video alone (the baseline), then shoal track in its own JVM, scored against the truth;",
                "peers' outputs shipped beside a clip are scored the same way. Prints one table and writes",
                "it as OUT/bench.md and OUT/bench.json."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--suite", defaultValue = "suite", paramLabel = "NAME",
            description = "Scenarios to run: suite (the benchmark table), speed (the 10-minute run) or ci (small)."
                    + " Default: ${DEFAULT-VALUE}.")
    String suite;

    @Option(names = "--only", split = ",", paramLabel = "SCENARIO",
            description = "Run just these scenarios (comma-separated names), whatever their suite.")
    List<String> only = new ArrayList<>();

    @Option(names = "--scenarios", paramLabel = "FILE",
            description = "A scenario file of your own, same format as the built-in scenarios-v1.yaml.")
    Path scenarioFile;

    @Option(names = "--data", defaultValue = "../shared/data", paramLabel = "DIR",
            description = "Folder of the real clips; scenarios whose clip is absent are reported as skipped."
                    + " Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--work", defaultValue = "target/bench", paramLabel = "DIR",
            description = "Rendered arenas (kept and reused) and each run's trajectories. Default: ${DEFAULT-VALUE}.")
    Path work;

    @Option(names = "--out", defaultValue = "bench-results", paramLabel = "DIR",
            description = "Where bench.md and bench.json go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        BenchScenarios set = scenarioFile != null ? BenchScenarios.read(scenarioFile) : BenchScenarios.builtIn();
        List<BenchScenario> chosen = set.select(suite, only);
        OutputDirectory.requireWritable("--work", work);
        OutputDirectory.requireWritable("--out", out);
        PrintWriter err = spec.commandLine().getErr();
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ShoalProcess shoal = ShoalProcess.prepare(work.toAbsolutePath());
        BenchRunner runner = new BenchRunner(data, work, shoal, err);
        List<BenchResult> results = new ArrayList<>();
        String label = only.isEmpty() ? suite : String.join(",", only);
        for (int i = 0; i < chosen.size(); i++) {
            results.addAll(runner.run(chosen.get(i), "[" + (i + 1) + "/" + chosen.size() + "]"));
            // Written after every scenario, so a long run that is stopped keeps what it measured.
            new BenchReport(set.version(), set.source(), label, machine(), started,
                    BenchReport.judge(chosen, results)).writeTo(out);
        }
        BenchReport report = new BenchReport(set.version(), set.source(), label, machine(), started,
                BenchReport.judge(chosen, results));
        report.writeTo(out);
        spec.commandLine().getOut().print(report.markdown());
        spec.commandLine().getOut().flush();
        err.println("bench: wrote " + out.resolve("bench.md") + " and " + out.resolve("bench.json"));
        return 0;
    }

    private static String machine() {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return String.format(Locale.ROOT, "%d cores, %.0f GiB, Java %s, load average %.2f at start",
                Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
                System.getProperty("java.version"), os.getSystemLoadAverage());
    }
}
