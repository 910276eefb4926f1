package dev.shoal.deploy.bench;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A versioned set of benchmark scenarios, read from YAML: the built-in set
 * ({@code scenarios-v1.yaml} beside this class) or a user's file of the same shape.
 */
public record BenchScenarios(String source, int version, List<BenchScenario> scenarios) {

    static final String BUILT_IN = "scenarios-v1.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private record Document(int version, List<BenchScenario> scenarios) {
    }

    /** The scenario set shipped with shoal. */
    public static BenchScenarios builtIn() {
        try (InputStream in = BenchScenarios.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN + " is missing from the shoal jar");
            }
            return parse(BUILT_IN, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A scenario file given by the user. */
    public static BenchScenarios read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--scenarios " + file + ": no such file; give a YAML scenario file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(file.toString(), in);
        } catch (IOException e) {
            throw new BadInputException("--scenarios " + file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private static BenchScenarios parse(String source, InputStream in) throws IOException {
        Document document;
        try {
            document = YAML.readValue(in, Document.class);
        } catch (JsonProcessingException e) {
            throw new BadInputException(source + describe(e) + "; see " + BUILT_IN + " for the format");
        }
        if (document == null || document.scenarios() == null || document.scenarios().isEmpty()) {
            throw new BadInputException(source + ": no scenarios; list them under 'scenarios:'");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < document.scenarios().size(); i++) {
            BenchScenario scenario = document.scenarios().get(i);
            scenario.validate(source + ", scenario " + (i + 1));
            if (!names.add(scenario.name())) {
                throw new BadInputException(source + ": scenario name '" + scenario.name() + "' is used twice; names must differ");
            }
        }
        return new BenchScenarios(source, document.version(), List.copyOf(document.scenarios()));
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " line " + at.getLineNr();
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? ", field '" + m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                : "[" + r.getIndex() + "]").collect(Collectors.joining(".")) + "'" : "";
        return ":" + where + field + ": " + e.getOriginalMessage().lines().findFirst().orElse("");
    }

    /**
     * The scenarios of one suite, or, when {@code only} is not empty, exactly those named (in the
     * file's order), whatever their suite.
     */
    public List<BenchScenario> select(String suite, List<String> only) {
        List<BenchScenario> chosen = new ArrayList<>();
        if (!only.isEmpty()) {
            for (String name : only) {
                if (scenarios.stream().noneMatch(s -> s.name().equals(name))) {
                    throw new BadInputException("--only " + name + ": no such scenario in " + source + "; known: "
                            + scenarios.stream().map(BenchScenario::name).collect(Collectors.joining(", ")));
                }
            }
            scenarios.stream().filter(s -> only.contains(s.name())).forEach(chosen::add);
            return chosen;
        }
        scenarios.stream().filter(s -> s.suites().contains(suite)).forEach(chosen::add);
        if (chosen.isEmpty()) {
            throw new BadInputException("--suite " + suite + ": no scenario of " + source + " belongs to it; known suites: "
                    + scenarios.stream().flatMap(s -> s.suites().stream()).distinct().collect(Collectors.joining(", ")));
        }
        return chosen;
    }
}
