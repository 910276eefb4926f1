package dev.shoal.deploy.serve;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code shoal serve SERVICE}: one service of the pipeline as a long-running process of its own
 * against an external Kafka cluster. Sessions are the records' keys, so each stays on one partition;
 * the instances of a service form one consumer group and share the sessions, up to the partition count.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run one service (ingest, segmenter, identifier, trainer or writer) against a Kafka cluster.",
        subcommands = {ServeIngestCommand.class, ServeSegmenterCommand.class, ServeIdentifierCommand.class,
                ServeTrainerCommand.class, ServeWriterCommand.class})
public final class ServeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
