package dev.shoal.core.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import dev.shoal.core.io.TemporaryDirectory;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (broker and controller in one) running in this JVM, in a
 * temporary directory on free loopback ports. Closing it stops the broker and deletes the
 * directory, as does a failed start. Used by the all-in-one {@code shoal} command and by the
 * integration tests.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int START_ATTEMPTS = 3;

    private final Path directory;
    private final KafkaRaftServer server;
    private final String bootstrap;

    private EmbeddedKafkaBroker(Path directory, KafkaRaftServer server, String bootstrap) {
        this.directory = directory;
        this.server = server;
        this.bootstrap = bootstrap;
    }

    /** Starts a broker under a new temporary directory inside {@code parent}. */
    public static EmbeddedKafkaBroker start(Path parent) {
        RuntimeException last = null;
        // Free-port probes can race with other processes: a failed bind is retried on new ports.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path dir = null;
            try {
                Files.createDirectories(parent);
                dir = Files.createTempDirectory(parent, "kafka-");
                return startIn(dir);
            } catch (IOException e) {
                TemporaryDirectory.deleteTree(dir);
                throw new UncheckedIOException("cannot create the embedded broker's directory under " + parent, e);
            } catch (RuntimeException e) {
                TemporaryDirectory.deleteTree(dir);
                last = e;
                LOG.warn("embedded Kafka broker start attempt {} failed: {}", attempt, e.toString());
            }
        }
        throw new IllegalStateException("the embedded Kafka broker did not start after " + START_ATTEMPTS
                + " attempts: " + last.getMessage(), last);
    }

    private static EmbeddedKafkaBroker startIn(Path dir) throws IOException {
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path logDir = dir.resolve("log");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        // The cleaner's dedupe buffer defaults to 128 MiB of heap; compacted topics here are small.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("message.max.bytes", Integer.toString(KafkaSettings.DEFAULT_MAX_RECORD_BYTES));
        p.put("replica.fetch.max.bytes", Integer.toString(KafkaSettings.DEFAULT_MAX_RECORD_BYTES));
        KafkaConfig config = KafkaConfig.fromProps(p);
        format(logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw e;
        }
        String bootstrap = "localhost:" + brokerPort;
        LOG.info("embedded Kafka broker on {} in {}", bootstrap, dir);
        return new EmbeddedKafkaBroker(dir, server, bootstrap);
    }

    private static void format(Path logDir) {
        try (PrintStream silent = new PrintStream(OutputStream.nullOutputStream())) {
            new Formatter()
                    .setPrintStream(silent)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the embedded broker's storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** host:port of the PLAINTEXT listener. */
    public String bootstrap() {
        return bootstrap;
    }

    @Override
    public void close() {
        shutdownQuietly(server);
        TemporaryDirectory.deleteTree(directory);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("embedded Kafka broker shutdown: {}", e.toString());
        }
    }
}
