package dev.shoal.deploy.serve;

import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.metrics.ConsumerGroupMetrics;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.core.metrics.PipelineMetrics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** What every {@code shoal serve} service is given: the cluster, the config file, its instance name. */
final class ServeOptions {

    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9._-]+");

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
            description = "The Kafka cluster (one or more comma-separated brokers).")
    String bootstrap;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The services' YAML config.")
    Path config;

    @Option(names = "--instance", paramLabel = "NAME",
            description = "This instance's name in its group; a restarted instance must keep it to resume from the"
                    + " dead one's last commit at once (default: the host name).")
    String instance;

    @Option(names = "--connect-timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long to wait for the cluster to answer at start-up: a service may start before its"
                    + " brokers, as a pod does (default: ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics (default: off; 0 for any free port).")
    Integer metricsPort;

    /**
     * Serves /metrics when {@code --metrics-port} is given: the JVM and process, and the stage's own
     * figures for every session it handles ({@link PipelineMetrics#ofService}).
     *
     * @param outputs the topics the stage publishes, whose records the figures come from
     * @param groups  the stage's consumer groups, for lag and frames in
     * @return the endpoint, or null when metrics are off
     */
    MetricsEndpoint startMetrics(KafkaSettings settings, ServeConfig config, List<String> outputs,
                                 List<ConsumerGroupMetrics.Group> groups) {
        if (metricsPort == null) {
            return null;
        }
        MetricsEndpoint endpoint = MetricsEndpoint.start(metricsPort);
        try {
            endpoint.bind(PipelineMetrics.ofService(settings, config.animals(), outputs, groups)).start();
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
        return endpoint;
    }

    /** The config, checked. */
    ServeConfig readConfig() {
        return ServeConfig.read(config);
    }

    /** The instance name: given, or the host name (a pod's name on Kubernetes). */
    String instance() {
        String name = instance;
        if (name == null) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                throw new BadInputException("--instance is not given and the host name is unknown (" + e.getMessage()
                        + "); give --instance NAME");
            }
        }
        if (!INSTANCE.matcher(name).matches()) {
            throw new BadInputException("--instance " + name + ": use letters, digits, '.', '_' and '-'");
        }
        return name;
    }

    /** Checks that the cluster answers and creates the topics that are missing, as the config lays them out. */
    KafkaSettings connect(ServeConfig config) {
        if (connectTimeoutSeconds < 1) {
            throw new BadInputException("--connect-timeout " + connectTimeoutSeconds + ": give 1 or more seconds");
        }
        KafkaSettings settings = KafkaSettings.of(bootstrap);
        TopicAdmin.requireReachable(settings, Duration.ofSeconds(connectTimeoutSeconds));
        TopicAdmin.createTopics(settings, Topics.all(config.kafka().partitions(), settings.maxRecordBytes()),
                Optional.of(config.kafka().replicationFactor()));
        return settings;
    }
}
