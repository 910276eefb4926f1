package dev.shoal.deploy.serve;

import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.metrics.ConsumerGroupMetrics;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.MetricsEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code shoal serve writer}: every session's trajectories under writer.out_dir ({@link SessionTrajectoryWriters}). */
@Command(name = "writer", mixinStandardHelpOptions = true,
        description = "Write each session's trajectories (OUT/<session>/trajectories.csv) from shoal.tracks.v1.")
public final class ServeWriterCommand implements Callable<Integer> {

    @Mixin
    ServeOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServeConfig config = options.readConfig();
        try {
            Files.createDirectories(config.writer().outDir());
        } catch (IOException e) {
            throw new BadInputException(options.config + ": writer.out_dir " + config.writer().outDir()
                    + " cannot be created (" + e.getMessage() + "); give a writable directory");
        }
        KafkaSettings settings = options.connect(config);
        try (MetricsEndpoint metrics = options.startMetrics(settings, config, List.of(), List.of(
                new ConsumerGroupMetrics.Group("writer", SessionTrajectoryWriters.GROUP, Topics.TRACKS, false)))) {
            return ServiceRunner.run("writer", new SessionTrajectoryWriters(settings, config, spec.commandLine().getErr()),
                    spec.commandLine().getErr());
        }
    }
}
