package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.ConsumingService;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.progress.ProgressLine;
import dev.shoal.core.proto.Frame;
import dev.shoal.identifier.ProvisionalTrackingService;
import dev.shoal.identifier.TrajectoryStats;
import dev.shoal.identifier.TrajectoryWriterService;
import dev.shoal.ingest.FramePublisher;
import dev.shoal.ingest.VideoFileSource;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.SegmenterService;
import dev.shoal.segmenter.WarmUp;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One video through ingest, segmenter, identifier and the trajectory writer, each a Kafka client
 * of its own on its own thread, talking only through the broker, exactly as separate services would.
 */
final class TrackJob {

    private final VideoFileSource source;
    private final int animals;
    private final Path outDir;
    private final String bootstrap;
    private final Path workDir;
    private final SegmentationSettings segmentation;
    private final WarmUp warmUp;

    TrackJob(VideoFileSource source, int animals, Path outDir, String bootstrap, Path workDir,
             SegmentationSettings segmentation, WarmUp warmUp) {
        this.source = source;
        this.animals = animals;
        this.outDir = outDir;
        this.bootstrap = bootstrap;
        this.workDir = workDir;
        this.segmentation = segmentation;
        this.warmUp = warmUp;
    }

    TrackSummary run(PrintWriter progress) throws Exception {
        long start = System.nanoTime();
        if (bootstrap != null) {
            KafkaSettings settings = KafkaSettings.of(bootstrap);
            TopicAdmin.requireReachable(settings, Duration.ofSeconds(10));
            return runOn(settings, start, 0, progress);
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("shoal"))) {
            double brokerSeconds = (System.nanoTime() - start) / 1e9;
            return runOn(KafkaSettings.of(broker.bootstrap()), start, brokerSeconds, progress);
        }
    }

    private TrackSummary runOn(KafkaSettings settings, long start, double brokerSeconds, PrintWriter progress)
            throws Exception {
        TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
        String session = "track-" + UUID.randomUUID().toString().substring(0, 8);
        Map<TopicPartition, Long> ends = TopicAdmin.endOffsets(settings, List.of(Topics.FRAMES, Topics.BLOBS, Topics.TRACKS));

        SegmenterService segmenter = new SegmenterService(settings, SegmenterService.GROUP + "-" + session, ends,
                segmentation, warmUp);
        ProvisionalTrackingService identifier = new ProvisionalTrackingService(settings,
                ProvisionalTrackingService.GROUP + "-" + session, ends);
        TrajectoryWriterService writer = new TrajectoryWriterService(settings, session, ends,
                outDir.resolve("trajectories.csv"));
        List<ConsumingService<?>> services = List.of(segmenter, identifier, writer);
        List<Thread> threads = new ArrayList<>();
        for (ConsumingService<?> service : services) {
            Thread thread = new Thread(service, "shoal-" + service.getClass().getSimpleName());
            thread.start();
            threads.add(thread);
        }
        long total = source.frameCount();
        FramePublisher publisher;
        TrajectoryStats stats;
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(settings.producer("ingest"),
                new StringSerializer(), Serdes.FRAME.serializer());
             ProgressLine line = new ProgressLine("track", "frames", writer::framesWritten, total,
                     () -> "segmented " + segmenter.framesSegmented(), progress, Duration.ofSeconds(1))) {
            publisher = new FramePublisher(producer, session, "file");
            if (publisher.publishAll(source) == 0) {
                throw new BadInputException(source.path() + ": FFmpeg decoded no frame from it; give a video"
                        + " with at least one frame");
            }
            stats = awaitResult(writer, services);
        } finally {
            for (ConsumingService<?> service : services) {
                service.stop();
            }
            for (ConsumingService<?> service : services) {
                service.awaitStopped();
            }
        }
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        TrackSummary summary = new TrackSummary(source.path().toString(), session, animals,
                source.width(), source.height(), source.fps(), stats, wallSeconds, brokerSeconds, bootstrap == null,
                new TrackSummary.Stages(publisher.decodeNanos() / 1e9, segmenter.busyNanos() / 1e9,
                        identifier.busyNanos() / 1e9, writer.busyNanos() / 1e9),
                segmenter.globalFragmentsPublished());
        TrajectoryPlot.write(outDir.resolve("trajectories.csv"), source.width(), source.height(),
                outDir.resolve("trajectories.png"));
        summary.writeTo(outDir.resolve("summary.json"));
        return summary;
    }

    /** Waits for the writer to finish, failing fast when any stage has died. */
    private static TrajectoryStats awaitResult(TrajectoryWriterService writer, List<ConsumingService<?>> services)
            throws Exception {
        while (true) {
            try {
                return writer.result().get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                for (ConsumingService<?> service : services) {
                    if (service.failure() != null) {
                        throw new IllegalStateException(service.getClass().getSimpleName() + " failed: "
                                + service.failure().getMessage(), service.failure());
                    }
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            }
        }
    }
}
