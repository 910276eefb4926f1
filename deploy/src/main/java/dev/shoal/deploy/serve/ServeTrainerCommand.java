package dev.shoal.deploy.serve;

import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.metrics.ConsumerGroupMetrics;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.trainer.OfflineEngine;
import dev.shoal.trainer.TrainerService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code shoal serve trainer}: global fragments to model releases, with its sessions stored under trainer.store. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Train an identity network per session from shoal.global-fragments.v1 and publish releases.")
public final class ServeTrainerCommand implements Callable<Integer> {

    @Mixin
    ServeOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServeConfig config = options.readConfig();
        if (!config.learns()) {
            throw new BadInputException(options.config + ": segmentation.crop_size is 0, so there is nothing to train;"
                    + " give a crop size or do not run the trainer");
        }
        try {
            Files.createDirectories(config.trainer().store());
        } catch (IOException e) {
            throw new BadInputException(options.config + ": trainer.store " + config.trainer().store()
                    + " cannot be created (" + e.getMessage() + "); give a writable directory");
        }
        KafkaSettings settings = options.connect(config);
        OfflineEngine.configure();
        try (MetricsEndpoint metrics = options.startMetrics(settings, config, List.of(Topics.MODELS), List.of(
                new ConsumerGroupMetrics.Group("trainer", TrainerService.GROUP, Topics.GLOBAL_FRAGMENTS, false)))) {
            MeterRegistry registry = metrics != null ? metrics.registry() : new SimpleMeterRegistry();
            TrainerService service = new TrainerService(settings, TrainerService.GROUP, Map.of(),
                    TrainerService.Settings.defaults(config.animals(), config.trainer().store())
                            .withMethod(config.trainer().method()), registry,
                    spec.commandLine().getErr());
            return ServiceRunner.run("trainer", service, spec.commandLine().getErr());
        }
    }
}
