package dev.shoal.ingest;

import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where ingest's time goes, for bench/ingest-throughput.sh (a benchmark, not a test). One mode per run:
 * <pre>
 *   IngestThroughputBenchmark VIDEO decode                  decode alone to GRAY8, no broker
 *   IngestThroughputBenchmark VIDEO ceiling FRAMES [k=v...] a bare KafkaProducer sending FRAMES records of
 *                                                           one frame each (the video's first frames, cycled)
 *   IngestThroughputBenchmark VIDEO publish [k=v...]        decode + publish with FramePublisher
 * </pre>
 * Both broker modes run the embedded broker in this JVM, as {@code shoal ingest} does (its start is not
 * timed), with the frame producer's settings ({@link FrameProducerSettings}) and {@code k=v} producer
 * overrides. Each line gives wall time and the process's CPU time over the timed part, so the cost of
 * publishing can be set against what two cores have left after decoding.
 */
public final class IngestThroughputBenchmark {

    private static final int DISTINCT_FRAMES = 50;

    private IngestThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: IngestThroughputBenchmark VIDEO decode|ceiling FRAMES|publish [producer k=v ...]");
            System.exit(2);
        }
        Path video = Path.of(args[0]);
        switch (args[1]) {
            case "decode" -> decode(video);
            case "ceiling" -> withBroker(settings -> ceiling(video, Integer.parseInt(args[2]), settings,
                    overrides(Arrays.copyOfRange(args, 3, args.length))));
            case "publish" -> withBroker(settings -> publish(video, settings,
                    overrides(Arrays.copyOfRange(args, 2, args.length))));
            default -> {
                System.err.println("unknown mode " + args[1] + "; give decode, ceiling or publish");
                System.exit(2);
            }
        }
    }

    private static void decode(Path video) throws Exception {
        long frames = 0;
        Clock clock = new Clock();
        try (VideoFileSource source = VideoFileSource.open(video)) {
            while (source.next() != null) {
                frames++;
            }
        }
        clock.report("decode alone (Java, GRAY8)", frames, 0);
    }

    private static void ceiling(Path video, int count, KafkaSettings settings, Properties overrides) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        int width;
        int height;
        try (VideoFileSource source = VideoFileSource.open(video)) {
            width = source.width();
            height = source.height();
            VideoFrame f;
            while (frames.size() < DISTINCT_FRAMES && (f = source.next()) != null) {
                frames.add(f.gray());
            }
        }
        Properties p = FrameProducerSettings.of(settings, "ceiling", width, height);
        p.putAll(overrides);
        long bytes = 0;
        Clock clock;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            byte[] key = "ceiling".getBytes();
            clock = new Clock();
            for (int i = 0; i < count; i++) {
                byte[] value = frames.get(i % frames.size());
                bytes += value.length;
                producer.send(new ProducerRecord<>(Topics.FRAMES, key, value), (metadata, error) -> {
                    if (error != null) {
                        throw new IllegalStateException(error);
                    }
                });
            }
            producer.flush();
        }
        clock.report("bare producer " + describe(p), count, bytes);
    }

    private static void publish(Path video, KafkaSettings settings, Properties overrides) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (VideoFileSource source = VideoFileSource.open(video)) {
            Properties p = FrameProducerSettings.of(settings, "bench", source.width(), source.height());
            p.putAll(overrides);
            FramePublisher publisher;
            Clock clock;
            try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(p, new StringSerializer(),
                    Serdes.FRAME.serializer())) {
                publisher = new FramePublisher(producer, "bench", "cam0", registry, 32);
                clock = new Clock();
                publisher.publishAll(source);
            }
            clock.report("decode + publish " + describe(p), publisher.published(),
                    publisher.published() * source.width() * source.height());
            System.out.printf(Locale.ROOT, "   of which in the source's next(): %.2f s%n", publisher.decodeNanos() / 1e9);
        }
    }

    private static String describe(Properties p) {
        return "(compression " + p.get("compression.type") + ", batch.size " + p.get("batch.size") + ", linger.ms "
                + p.get("linger.ms") + ")";
    }

    private static Properties overrides(String[] pairs) {
        Properties p = new Properties();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            p.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return p;
    }

    private interface BrokerRun {
        void run(KafkaSettings settings) throws Exception;
    }

    private static void withBroker(BrokerRun run) throws Exception {
        Path dir = Files.createTempDirectory("shoal-ingest-bench");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(settings, Topics.all(1, settings.maxRecordBytes()));
            run.run(settings);
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /** Wall and process CPU time from its creation. */
    private static final class Clock {
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final long wall0 = System.nanoTime();
        private final long cpu0 = os.getProcessCpuTime();

        void report(String what, long frames, long bytes) {
            double wall = (System.nanoTime() - wall0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "%s: %d frames in %.2f s (%.0f fps%s), process CPU %.2f s (%.2f ms per frame)%n",
                    what, frames, wall, frames / wall,
                    bytes > 0 ? String.format(Locale.ROOT, ", %.0f MB/s", bytes / wall / 1e6) : "",
                    cpu, cpu * 1e3 / Math.max(1, frames));
        }
    }
}
