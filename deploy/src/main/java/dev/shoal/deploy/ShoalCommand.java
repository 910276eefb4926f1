package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.deploy.bench.BenchCommand;
import dev.shoal.deploy.serve.ServeCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code shoal} command line: one entry point, one subcommand per job. */
@Command(name = "shoal", mixinStandardHelpOptions = true, version = "shoal 0.1.0",
        description = "Tracks many look-alike animals in video and keeps each one's identity, as a stream.",
        subcommands = {TrackCommand.class, LiveCommand.class, SimulateCommand.class, EvalCommand.class,
                ProbeCommand.class, IngestCommand.class, ReplayCommand.class, AnnotateCommand.class, BenchCommand.class,
                ServeCommand.class})
public final class ShoalCommand implements Runnable {

    /** Exit code for bad input: a missing file, a wrong option, an unreachable broker. */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs one command line and returns its exit code. Results go to {@code out}; progress, reports
     * and errors to {@code err}; bad input is one line on {@code err} and exit code 2.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new ShoalCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof BadInputException) {
                commandLine.getErr().println("shoal: " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            e.getCommandLine().getErr().println("shoal: " + e.getMessage() + " (see: shoal "
                    + e.getCommandLine().getCommandName() + " --help)");
            return EXIT_BAD_INPUT;
        });
        return cli.execute(args);
    }
}
