package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.io.AtomicFile;
import dev.shoal.core.io.TemporaryDirectory;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.IngestMetrics;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.core.metrics.PipelineMetrics;
import dev.shoal.core.progress.ProgressLine;
import dev.shoal.core.proto.Frame;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.identifier.IdentificationService;
import dev.shoal.identifier.TrajectoryStats;
import dev.shoal.identifier.TrajectoryWriterService;
import dev.shoal.ingest.FramePublisher;
import dev.shoal.ingest.VideoFileSource;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.SegmenterService;
import dev.shoal.segmenter.WarmUp;
import dev.shoal.trainer.TrainerService;
import dev.shoal.trainer.TrainingMethod;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One video through ingest, segmenter, trainer, identifier and the trajectory writer, each a Kafka client
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
    private final TrainingMethod trainingMethod;
    private final MetricsEndpoint metrics;
    private final MeterRegistry registry;
    private final boolean parquet;

    /**
     * @param metrics where /metrics is served, or null for none
     * @param parquet also write trajectories.parquet beside trajectories.csv
     */
    TrackJob(VideoFileSource source, int animals, Path outDir, String bootstrap, Path workDir,
             SegmentationSettings segmentation, WarmUp warmUp, TrainingMethod trainingMethod, MetricsEndpoint metrics,
             boolean parquet) {
        this.source = source;
        this.animals = animals;
        this.outDir = outDir;
        this.bootstrap = bootstrap;
        this.workDir = workDir;
        this.segmentation = segmentation;
        this.warmUp = warmUp;
        this.trainingMethod = trainingMethod;
        this.metrics = metrics;
        this.registry = metrics != null ? metrics.registry() : new SimpleMeterRegistry();
        this.parquet = parquet;
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
        Map<TopicPartition, Long> ends = TopicAdmin.endOffsets(settings, Pipeline.TOPICS);
        // One run, one store: nothing of a track run can be resumed, and a shared store would hand this
        // run's trainer the sessions other runs left behind.
        try (TemporaryDirectory trainerStore = TemporaryDirectory.create(workDir, "shoal-trainer-")) {
            return runSession(settings, session, ends, trainerStore.path(), start, brokerSeconds, progress);
        }
    }

    private TrackSummary runSession(KafkaSettings settings, String session, Map<TopicPartition, Long> ends,
                                    Path trainerStore, long start, double brokerSeconds, PrintWriter progress)
            throws Exception {
        Pipeline pipeline = new Pipeline(settings, session, ends, new Pipeline.Options(animals, segmentation, warmUp,
                Long.MAX_VALUE, null, registry, trainerStore, trainingMethod, progress));
        boolean learn = pipeline.learns();
        Path csv = outDir.resolve("trajectories.csv");
        String writerGroup = Pipeline.WRITER_GROUP_PREFIX + session;
        TrajectoryWriterService writer = learn
                ? new TrajectoryWriterService(settings, writerGroup, session, ends, csv, maxGapFrames(), parquet,
                        animals)
                : new TrajectoryWriterService(settings, writerGroup, session, ends, csv, parquet);
        pipeline.addWriter(writer, writerGroup);
        PipelineMetrics observed = metrics == null ? null
                : new PipelineMetrics(settings, session, animals, ends, pipeline.groups());
        if (observed != null) {
            observed.bindTo(metrics.registry());
            observed.start();
        }
        pipeline.start();
        SegmenterService segmenter = pipeline.segmenter();
        TrainerService trainer = pipeline.trainer();
        IdentificationService identification = pipeline.identification();
        long total = source.frameCount();
        FramePublisher publisher;
        TrajectoryStats stats;
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(settings.producer("ingest"),
                new StringSerializer(), Serdes.FRAME.serializer());
             ProgressLine line = new ProgressLine("track", "frames", writer::framesWritten, total,
                     () -> "segmented " + segmenter.framesSegmented() + (trainer == null ? ""
                             : String.format(Locale.ROOT, ", model v%d, identified %.1f%%, crops scored %d",
                                     trainer.releasesPublished(), 100 * writer.identifiedShare(animals),
                                     identification.cropsScored())), progress, Duration.ofSeconds(1))) {
            // Its own meters carry a camera label; /metrics gets ingest through IngestMetrics instead.
            publisher = new FramePublisher(producer, session, "file", new SimpleMeterRegistry(),
                    FramePublisher.DEFAULT_LIVE_QUEUE_FRAMES);
            if (metrics != null) {
                metrics.bind(new IngestMetrics(session, publisher::framesRead, publisher::published,
                        publisher::dropped));
            }
            if (publisher.publishAll(source) == 0) {
                throw new BadInputException(source.path() + ": FFmpeg decoded no frame from it; give a video"
                        + " with at least one frame");
            }
            stats = awaitResult(writer, pipeline);
        } finally {
            pipeline.stop();
            if (observed != null) {
                observed.close();
            }
        }
        ModelRelease release = learn ? lastRelease(settings, session, ends) : null;
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        TrackSummary summary = new TrackSummary(source.path().toString(), session, animals,
                source.width(), source.height(), source.fps(), stats, wallSeconds, brokerSeconds, bootstrap == null,
                new TrackSummary.Stages(publisher.decodeNanos() / 1e9, segmenter.busyNanos() / 1e9,
                        trainer == null ? 0 : trainer.busyNanos() / 1e9,
                        pipeline.identifierBusyNanos() / 1e9, writer.busyNanos() / 1e9),
                segmenter.globalFragmentsPublished(),
                learn ? TrackSummary.Identities.of(release, identification.cropsScored(),
                        identification.correctionsPublished(), writer.correctionsApplied(), writer.repairs(),
                        writer.stitched())
                        : TrackSummary.PROVISIONAL);
        TrajectoryPlot.write(outDir.resolve("trajectories.csv"), source.width(), source.height(),
                outDir.resolve("trajectories.png"));
        if (release != null && !release.getOnnx().isEmpty()) {
            // The model behind these identities, for `live --model` on the same animals later.
            AtomicFile.write(outDir.resolve("model.onnx"), release.getOnnx().toByteArray());
        }
        summary.writeTo(outDir.resolve("summary.json"));
        return summary;
    }

    /** Gaps of up to a second (crossings, missed detections) are interpolated in the trajectories. */
    private int maxGapFrames() {
        return (int) Math.max(1, Math.round(source.fps() > 0 ? source.fps() : 25));
    }

    /** The session's last model release (the one behind its identities), read back from the models topic. */
    private static ModelRelease lastRelease(KafkaSettings settings, String session, Map<TopicPartition, Long> ends) {
        ModelRelease last = null;
        try (KafkaConsumer<String, ModelRelease> consumer = new KafkaConsumer<>(settings.consumer("summary-" + session,
                "summary"), new StringDeserializer(), Serdes.MODEL_RELEASE.deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.MODELS).stream()
                    .map(p -> new TopicPartition(Topics.MODELS, p.partition())).toList();
            consumer.assign(partitions);
            partitions.forEach(p -> consumer.seek(p, ends.getOrDefault(p, 0L)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (session.equals(record.key()) && record.value() != null) {
                        last = record.value();
                    }
                }
            }
        }
        return last;
    }

    /** Waits for the writer to finish, failing fast when any stage has died. */
    private static TrajectoryStats awaitResult(TrajectoryWriterService writer, Pipeline pipeline) throws Exception {
        while (true) {
            try {
                return writer.result().get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                pipeline.requireHealthy();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            }
        }
    }
}
