package dev.shoal.deploy.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * deploy/k8s cannot be applied here (no cluster): this checks that every file parses, that each
 * Deployment runs a real {@code shoal serve} subcommand with the mounted config, and that the
 * ConfigMap's config is one {@code shoal serve} accepts.
 */
class KubernetesManifestsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path K8S = Path.of("k8s");

    @TempDir
    Path dir;

    private static List<JsonNode> documents() throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (var parser = YAML.getFactory().createParser(file.toFile())) {
                    for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                        JsonNode document = it.next();
                        if (document != null && !document.isEmpty()) {
                            assertTrue(document.has("apiVersion") && document.has("kind"), file + ": " + document);
                            documents.add(document);
                        }
                    }
                }
            }
        }
        return documents;
    }

    @Test
    void everyDeploymentRunsAServeSubcommandWithTheMountedConfig() throws IOException {
        Set<String> subcommands = new CommandLine(new ServeCommand()).getSubcommands().keySet();
        Map<String, JsonNode> byService = new HashMap<>();
        for (JsonNode document : documents()) {
            if (!document.get("kind").asText().equals("Deployment")) {
                continue;
            }
            JsonNode pod = document.at("/spec/template/spec");
            JsonNode container = pod.at("/containers/0");
            List<String> args = new ArrayList<>();
            container.get("args").forEach(a -> args.add(a.asText()));
            assertEquals("serve", args.get(0), document.at("/metadata/name").asText());
            assertTrue(subcommands.contains(args.get(1)), args.get(1) + " is not one of " + subcommands);
            assertEquals("shoal:0.1.0", container.get("image").asText());
            String config = args.get(args.indexOf("--config") + 1);
            assertTrue(args.contains("--bootstrap"), "args " + args);
            Set<String> mounts = new HashSet<>();
            container.get("volumeMounts").forEach(m -> mounts.add(m.get("mountPath").asText()));
            assertTrue(mounts.contains(Path.of(config).getParent().toString()), config + " is not mounted: " + mounts);
            byService.put(args.get(1), document);
        }
        assertEquals(subcommands, byService.keySet(), "one Deployment per service");
        assertEquals("1", byService.get("trainer").at("/spec/template/spec/containers/0/resources/limits")
                .get("nvidia.com/gpu").asText(), "the trainer asks for a GPU");
    }

    @Test
    void theConfigMapHoldsAConfigServeAccepts() throws IOException {
        JsonNode map = documents().stream().filter(d -> d.get("kind").asText().equals("ConfigMap")).findFirst().orElseThrow();
        Path file = dir.resolve("shoal.yaml");
        Files.writeString(file, map.at("/data").get("shoal.yaml").asText());
        ServeConfig config = ServeConfig.read(file);
        assertEquals((short) 3, config.kafka().replicationFactor());
        assertTrue(config.kafka().partitions() >= 2, "room for more than one segmenter and identifier");
    }

    @Test
    void theKafkaClusterIsKraftWithANodePoolOfThree() throws IOException {
        List<JsonNode> documents = documents();
        JsonNode kafka = documents.stream().filter(d -> d.get("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        JsonNode pool = documents.stream().filter(d -> d.get("kind").asText().equals("KafkaNodePool")).findFirst()
                .orElseThrow();
        assertEquals("enabled", kafka.at("/metadata/annotations").get("strimzi.io/kraft").asText());
        assertEquals("enabled", kafka.at("/metadata/annotations").get("strimzi.io/node-pools").asText());
        assertEquals(kafka.at("/metadata/name").asText(), pool.at("/metadata/labels").get("strimzi.io/cluster").asText());
        assertEquals(3, pool.at("/spec/replicas").asInt());
    }
}
