package dev.shoal.identifier.stimulus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads a YAML rules file into a {@link StimulusConfig}, checking every field against the session
 * (number of animals, frame size) so that a mistake stops start-up with one line naming the file,
 * the rule and the field. The format:
 * <pre>
 * rules:
 *   - name: left-entry          # letters, digits, '-' and '_': also the OSC address /shoal/left-entry
 *     type: zone-enter          # zone-enter | zone-leave | proximity | speed | dwell
 *     zone: {circle: {x: 120, y: 240, radius: 60}}   # or {polygon: [[x, y], [x, y], [x, y], ...]}
 *     identities: [1, 2]        # optional for zone and speed rules: default any animal
 *     refractory_s: 2.0         # optional: silent this long after firing
 *   - {name: close, type: proximity, identities: [1, 2], distance: 40}
 *   - {name: dash, type: speed, above: 300}          # or below: (pixels per second)
 *   - {name: linger, type: dwell, zone: {...}, seconds: 5}
 * osc: {host: 127.0.0.1, port: 9000}                 # optional: also send each firing as OSC over UDP
 * </pre>
 */
public final class StimulusRulesFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final List<String> TYPES = List.of("zone-enter", "zone-leave", "proximity", "speed", "dwell");

    private StimulusRulesFile() {
    }

    /**
     * @param animals number of animals in the session: identities are 1..animals
     * @throws BadInputException on any unreadable, unknown or out-of-range entry
     */
    public static StimulusConfig read(Path file, int animals, int frameWidth, int frameHeight) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new BadInputException(file + (line > 0 ? " line " + line : "") + ": not valid YAML ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + "); fix the syntax");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the rules file (" + e.getMessage() + "); give a readable YAML file");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(file + ": empty or not a mapping; start the file with 'rules:' and a list of rules");
        }
        rejectUnknownFields(root, Set.of("rules", "osc"), field ->
                new BadInputException(file + ": unknown top-level field '" + field + "'; use rules and osc"));
        JsonNode rules = root.get("rules");
        if (rules == null || !rules.isArray() || rules.isEmpty()) {
            throw new BadInputException(file + ": no rules; give 'rules:' with a list of at least one rule");
        }
        Session session = new Session(animals, frameWidth, frameHeight);
        List<String> names = new ArrayList<>();
        List<Supplier<StimulusRule>> factories = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            RuleFields rule = new RuleFields(file, i + 1, rules.get(i));
            if (!seen.add(rule.name)) {
                throw rule.error("name", "is used by an earlier rule", "give every rule its own name");
            }
            names.add(rule.name);
            factories.add(rule.factory(session));
        }
        return new StimulusConfig(names, factories, oscTarget(file, root.get("osc")));
    }

    private static InetSocketAddress oscTarget(Path file, JsonNode osc) {
        if (osc == null) {
            return null;
        }
        String where = file + ": osc";
        if (!osc.isObject()) {
            throw new BadInputException(where + ": not a mapping; give osc: {host: HOST, port: PORT}");
        }
        rejectUnknownFields(osc, Set.of("host", "port"), field ->
                new BadInputException(where + ": unknown field '" + field + "'; use host and port"));
        JsonNode host = osc.get("host");
        JsonNode port = osc.get("port");
        if (host == null || !host.isTextual() || host.asText().isBlank()) {
            throw new BadInputException(where + ".host: missing; give the host name or IP address of the OSC receiver");
        }
        if (port == null || !port.canConvertToInt() || !port.isIntegralNumber()) {
            throw new BadInputException(where + ".port: missing or not an integer; give the receiver's UDP port, 1..65535");
        }
        return OscStimulusSender.target(where, host.asText(), port.asInt());
    }

    private interface FieldError {
        BadInputException of(String field);
    }

    private static void rejectUnknownFields(JsonNode node, Set<String> known, FieldError error) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw error.of(field);
            }
        }
    }

    private record Session(int animals, int width, int height) {
    }

    /** One rule's fields, with errors that name the file, the rule and the field. */
    private static final class RuleFields {

        private final Path file;
        private final int index;
        private final JsonNode node;
        private final String name;

        RuleFields(Path file, int index, JsonNode node) {
            this.file = file;
            this.index = index;
            this.node = node;
            if (node == null || !node.isObject()) {
                throw new BadInputException(file + ": rule " + index + ": not a mapping; give name, type and the type's fields");
            }
            JsonNode nameNode = node.get("name");
            if (nameNode == null || !nameNode.isTextual() || !NAME.matcher(nameNode.asText()).matches()) {
                this.name = null;
                throw error("name", "missing or not made of letters, digits, '-' and '_'",
                        "give a name such as left-entry (it becomes the OSC address /shoal/NAME)");
            }
            this.name = nameNode.asText();
        }

        BadInputException error(String field, String problem, String fix) {
            String rule = name == null ? "rule " + index : "rule " + index + " '" + name + "'";
            return new BadInputException(file + ": " + rule + ", field " + field + ": " + problem + "; " + fix);
        }

        Supplier<StimulusRule> factory(Session session) {
            JsonNode typeNode = node.get("type");
            String type = typeNode == null ? "" : typeNode.asText();
            if (!TYPES.contains(type)) {
                throw error("type", typeNode == null ? "missing" : "unknown type '" + type + "'",
                        "use one of " + String.join(", ", TYPES));
            }
            double refractory = optionalNonNegative("refractory_s");
            switch (type) {
                case "zone-enter", "zone-leave" -> {
                    allowOnly("zone", "identities");
                    Zone zone = zone(session);
                    TrackSelection selection = selection(session);
                    ZoneCrossingRule.Direction direction = type.equals("zone-enter")
                            ? ZoneCrossingRule.Direction.ENTER : ZoneCrossingRule.Direction.LEAVE;
                    return () -> new ZoneCrossingRule(name, zone, direction, selection, refractory);
                }
                case "proximity" -> {
                    allowOnly("identities", "distance");
                    List<Long> pair = new ArrayList<>(identities(session));
                    if (pair.size() != 2) {
                        throw error("identities", "a proximity rule needs exactly two identities", "give identities: [A, B]");
                    }
                    double distance = positive("distance");
                    return () -> new ProximityRule(name, pair.get(0), pair.get(1), distance, refractory);
                }
                case "speed" -> {
                    allowOnly("above", "below", "identities");
                    boolean above = node.has("above");
                    if (above == node.has("below")) {
                        throw error("above/below", "give exactly one of them", "write above: PIXELS_PER_S or below: PIXELS_PER_S");
                    }
                    double threshold = positive(above ? "above" : "below");
                    SpeedRule.Bound bound = above ? SpeedRule.Bound.ABOVE : SpeedRule.Bound.BELOW;
                    TrackSelection selection = selection(session);
                    return () -> new SpeedRule(name, threshold, bound, selection, refractory);
                }
                default -> {
                    allowOnly("zone", "seconds", "identities");
                    Zone zone = zone(session);
                    double seconds = positive("seconds");
                    TrackSelection selection = selection(session);
                    return () -> new DwellRule(name, zone, seconds, selection, refractory);
                }
            }
        }

        private void allowOnly(String... typeFields) {
            Set<String> known = new LinkedHashSet<>(List.of("name", "type", "refractory_s"));
            known.addAll(List.of(typeFields));
            rejectUnknownFields(node, known, field -> error(field, "unknown field for type " + node.get("type").asText(),
                    "use " + String.join(", ", known)));
        }

        private double number(String field, JsonNode value) {
            if (value == null || !value.isNumber()) {
                throw error(field, value == null ? "missing" : "not a number", "give a number");
            }
            return value.asDouble();
        }

        private double positive(String field) {
            double value = number(field, node.get(field));
            if (!(value > 0) || Double.isInfinite(value)) {
                throw error(field, value + " is not positive", "give a number above 0");
            }
            return value;
        }

        private double optionalNonNegative(String field) {
            if (!node.has(field)) {
                return 0;
            }
            double value = number(field, node.get(field));
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw error(field, value + " is negative", "give 0 or more seconds");
            }
            return value;
        }

        private Set<Long> identities(Session session) {
            JsonNode list = node.get("identities");
            if (list == null) {
                return Set.of();
            }
            if (!list.isArray() || list.isEmpty()) {
                throw error("identities", "not a list of identities", "give a list such as [1, 2], or leave it out for any animal");
            }
            Set<Long> identities = new LinkedHashSet<>();
            for (JsonNode id : list) {
                if (!id.isIntegralNumber()) {
                    throw error("identities", "'" + id.asText() + "' is not an identity", "give whole numbers 1.." + session.animals());
                }
                long identity = id.asLong();
                if (identity < 1 || identity > session.animals()) {
                    throw error("identities", "identity " + identity + " is not one of the " + session.animals() + " animals",
                            "give identities 1.." + session.animals());
                }
                if (!identities.add(identity)) {
                    throw error("identities", "identity " + identity + " is listed twice", "list each identity once");
                }
            }
            return identities;
        }

        private TrackSelection selection(Session session) {
            return new TrackSelection(identities(session));
        }

        private Zone zone(Session session) {
            JsonNode zone = node.get("zone");
            if (zone == null || !zone.isObject() || zone.size() != 1 || !(zone.has("circle") || zone.has("polygon"))) {
                throw error("zone", "missing or not one circle or polygon",
                        "give zone: {circle: {x: X, y: Y, radius: R}} or zone: {polygon: [[X, Y], [X, Y], [X, Y]]}");
            }
            Zone parsed;
            if (zone.has("circle")) {
                JsonNode circle = zone.get("circle");
                if (!circle.isObject()) {
                    throw error("zone.circle", "not a mapping", "give {x: X, y: Y, radius: R}");
                }
                rejectUnknownFields(circle, Set.of("x", "y", "radius"),
                        field -> error("zone.circle." + field, "unknown field", "use x, y and radius"));
                double x = number("zone.circle.x", circle.get("x"));
                double y = number("zone.circle.y", circle.get("y"));
                double radius = number("zone.circle.radius", circle.get("radius"));
                if (!(radius > 0)) {
                    throw error("zone.circle.radius", radius + " is not positive", "give a radius above 0 pixels");
                }
                parsed = Zone.circle(x, y, radius);
            } else {
                JsonNode polygon = zone.get("polygon");
                if (!polygon.isArray() || polygon.size() < 3) {
                    throw error("zone.polygon", "fewer than three vertices", "give a list of at least three [X, Y] points");
                }
                List<double[]> vertices = new ArrayList<>();
                for (int v = 0; v < polygon.size(); v++) {
                    JsonNode point = polygon.get(v);
                    String field = "zone.polygon[" + v + "]";
                    if (!point.isArray() || point.size() != 2) {
                        throw error(field, "not an [X, Y] point", "write each vertex as [X, Y]");
                    }
                    vertices.add(new double[] {number(field + ".x", point.get(0)), number(field + ".y", point.get(1))});
                }
                parsed = Zone.polygon(vertices);
            }
            if (!parsed.fitsIn(session.width(), session.height())) {
                throw error("zone", parsed.description() + " reaches outside the " + session.width() + "x"
                        + session.height() + " frame", "keep the zone within x 0.." + session.width()
                        + " and y 0.." + session.height());
            }
            return parsed;
        }
    }
}
