package dev.shoal.deploy.serve;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.metrics.ConsumerGroupMetrics;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.kafka.PipelineService;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.identifier.IdentificationService;
import dev.shoal.identifier.ProvisionalTrackingService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code shoal serve identifier}: blobs and models to tracks and identity corrections, exactly once
 * and resumable ({@link IdentificationService}); with crops off, provisional tracks
 * ({@link ProvisionalTrackingService}, at least once).
 */
@Command(name = "identifier", mixinStandardHelpOptions = true,
        description = "Identify every session on shoal.blobs.v1 with its models (one consumer group; run several to"
                + " share partitions).")
public final class ServeIdentifierCommand implements Callable<Integer> {

    @Mixin
    ServeOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServeConfig config = options.readConfig();
        String instance = options.instance();
        KafkaSettings settings = options.connect(config);
        try (MetricsEndpoint metrics = options.startMetrics(settings, config, List.of(Topics.TRACKS), List.of(
                new ConsumerGroupMetrics.Group("identifier", IdentificationService.GROUP, Topics.BLOBS, true),
                new ConsumerGroupMetrics.Group("identifier", IdentificationService.GROUP, Topics.MODELS, false)))) {
            PipelineService service;
            if (config.learns()) {
                IdentificationService.Options defaults = IdentificationService.Options.defaults(config.animals(),
                        config.segmentation().cropSize());
                service = new IdentificationService(settings, IdentificationService.GROUP, Map.of(),
                        new IdentificationService.Options(defaults.animals(), defaults.cropSize(),
                                config.identifier().batchCrops(), config.identifierMaxDelay(),
                                config.identifierWindowFrames(), defaults.scorer(),
                                defaults.assignment()), instance);
            } else {
                service = new ProvisionalTrackingService(settings, IdentificationService.GROUP, Map.of());
            }
            return ServiceRunner.run("identifier", service, spec.commandLine().getErr());
        }
    }
}
