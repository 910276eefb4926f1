package dev.shoal.deploy.serve;

import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.metrics.ConsumerGroupMetrics;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.segmenter.OnlineSettings;
import dev.shoal.segmenter.SegmenterService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code shoal serve segmenter}: frames to blobs and global fragments, exactly once, in group {@value SegmenterService#GROUP}. */
@Command(name = "segmenter", mixinStandardHelpOptions = true,
        description = "Segment every session on shoal.frames.v1 (one consumer group; run several to share partitions).")
public final class ServeSegmenterCommand implements Callable<Integer> {

    @Mixin
    ServeOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServeConfig config = options.readConfig();
        String instance = options.instance();
        KafkaSettings settings = options.connect(config);
        try (MetricsEndpoint metrics = options.startMetrics(settings, config, List.of(Topics.BLOBS),
                List.of(new ConsumerGroupMetrics.Group("segmenter", SegmenterService.GROUP, Topics.FRAMES, true)))) {
            SegmenterService service = new SegmenterService(settings, SegmenterService.GROUP, Map.of(),
                    config.segmentationSettings(), config.warmUp(), OnlineSettings.defaults(),
                    new SegmenterService.Transactions(SegmenterService.Transactions.defaults().everyFrames(),
                            SegmenterService.Transactions.defaults().everyMillis(), instance));
            return ServiceRunner.run("segmenter", service, spec.commandLine().getErr());
        }
    }
}
