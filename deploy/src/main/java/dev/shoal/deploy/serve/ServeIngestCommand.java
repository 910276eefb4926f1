package dev.shoal.deploy.serve;

import dev.shoal.core.BadInputException;
import dev.shoal.deploy.ShoalCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shoal serve ingest [SOURCE...]}: creates the topics as the config lays them out, then
 * publishes one session as {@code shoal ingest} does (same sources, same stop on SIGTERM). The
 * sources and session come from the command line, else from the config's {@code ingest} part.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Publish one session's frames (sources from the command line or the config's ingest.sources).")
public final class ServeIngestCommand implements Callable<Integer> {

    @Mixin
    ServeOptions options;

    @Parameters(arity = "0..*", paramLabel = "SOURCE", description = "As for shoal ingest; default: ingest.sources.")
    List<String> sources;

    @Option(names = "--session", paramLabel = "ID", description = "Session id (default: ingest.session, else a new one).")
    String session;

    @Option(names = "--paced", description = "Play a file at its own frame rate (default: ingest.paced).")
    boolean paced;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ServeConfig config = options.readConfig();
        List<String> chosen = sources != null && !sources.isEmpty() ? sources : config.ingest().sources();
        if (chosen.isEmpty()) {
            throw new BadInputException("no source: give SOURCE... or ingest.sources in " + options.config);
        }
        options.connect(config);
        List<String> args = new ArrayList<>(List.of("ingest", "--bootstrap", options.bootstrap,
                "--camera", config.ingest().camera(), "--queue", Integer.toString(config.ingest().queue())));
        String id = session != null ? session : config.ingest().session();
        if (id != null) {
            args.addAll(List.of("--session", id));
        }
        if (paced || config.ingest().paced()) {
            args.add("--paced");
        }
        if (options.metricsPort != null) {
            args.addAll(List.of("--metrics-port", Integer.toString(options.metricsPort)));
        }
        args.add("--");
        args.addAll(chosen);
        return ShoalCommand.execute(spec.commandLine().getOut(), spec.commandLine().getErr(), args.toArray(String[]::new));
    }
}
