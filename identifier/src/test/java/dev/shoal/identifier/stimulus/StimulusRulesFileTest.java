package dev.shoal.identifier.stimulus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StimulusRulesFileTest {

    private static final String VALID = """
            rules:
              - name: left-entry
                type: zone-enter
                zone: {circle: {x: 120, y: 240, radius: 60}}
                refractory_s: 2
              - name: left-exit
                type: zone-leave
                zone: {polygon: [[0, 0], [200, 0], [200, 480], [0, 480]]}
                identities: [3]
              - {name: close, type: proximity, identities: [1, 2], distance: 40}
              - {name: dash, type: speed, above: 300}
              - {name: freeze, type: speed, below: 5, identities: [4]}
              - {name: linger, type: dwell, zone: {circle: {x: 320, y: 240, radius: 100}}, seconds: 5}
            osc: {host: 127.0.0.1, port: 9000}
            """;

    @TempDir
    Path temp;

    private Path write(String yaml) throws IOException {
        Path file = temp.resolve("rules.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private String error(String yaml) throws IOException {
        Path file = write(yaml);
        return assertThrows(BadInputException.class, () -> StimulusRulesFile.read(file, 8, 640, 480)).getMessage();
    }

    @Test
    void readsEveryRuleTypeAndTheOscReceiver() throws IOException {
        StimulusConfig config = StimulusRulesFile.read(write(VALID), 8, 640, 480);

        assertEquals(List.of("left-entry", "left-exit", "close", "dash", "freeze", "linger"), config.ruleNames());
        List<StimulusRule> rules = config.newRules();
        assertEquals(List.of(ZoneCrossingRule.class, ZoneCrossingRule.class, ProximityRule.class, SpeedRule.class,
                SpeedRule.class, DwellRule.class), rules.stream().map(Object::getClass).toList());
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9000)), config.oscTarget());
    }

    @Test
    void givesEachSessionRulesWithTheirOwnState() throws IOException {
        StimulusConfig config = StimulusRulesFile.read(write(VALID), 8, 640, 480);
        StimulusRule first = config.newRules().get(0);
        StimulusRule second = config.newRules().get(0);
        var frames = new TrackFrames(1);
        first.evaluate(frames.next(1, 10, 240));
        assertTrue(first.evaluate(frames.next(1, 120, 240)).isPresent());

        var other = new TrackFrames(1);
        assertTrue(second.evaluate(other.next(1, 120, 240)).isEmpty(), "first sight in a new session is no edge");
    }

    @Test
    void namesTheRuleAndFieldOfAnUnknownIdentity() throws IOException {
        assertEquals(temp.resolve("rules.yaml") + ": rule 1 'close', field identities: identity 9 is not one of the 8"
                        + " animals; give identities 1..8",
                error("rules:\n  - {name: close, type: proximity, identities: [1, 9], distance: 40}\n"));
    }

    @Test
    void refusesAZoneOutsideTheFrame() throws IOException {
        String message = error("""
                rules:
                  - {name: ok, type: dwell, zone: {circle: {x: 100, y: 100, radius: 10}}, seconds: 1}
                  - {name: edge, type: zone-enter, zone: {circle: {x: 620, y: 100, radius: 30}}}
                """);
        assertEquals(temp.resolve("rules.yaml") + ": rule 2 'edge', field zone: circle x=620.0 y=100.0 radius=30.0"
                + " reaches outside the 640x480 frame; keep the zone within x 0..640 and y 0..480", message);
    }

    @Test
    void refusesAPolygonVertexOutsideTheFrame() throws IOException {
        assertTrue(error("rules:\n  - {name: p, type: zone-leave, zone: {polygon: [[0, 0], [700, 0], [0, 100]]}}\n")
                .contains("rule 1 'p', field zone: polygon of 3 vertices reaches outside the 640x480 frame"));
    }

    @Test
    void listsTheKnownTypesForAnUnknownOne() throws IOException {
        assertEquals(temp.resolve("rules.yaml") + ": rule 1 'x', field type: unknown type 'teleport'; use one of"
                        + " zone-enter, zone-leave, proximity, speed, dwell",
                error("rules:\n  - {name: x, type: teleport}\n"));
    }

    @Test
    void refusesFieldsTheTypeDoesNotHave() throws IOException {
        assertTrue(error("rules:\n  - {name: d, type: speed, above: 3, radius: 4}\n")
                .contains("rule 1 'd', field radius: unknown field for type speed; use name, type, refractory_s, above, below, identities"));
    }

    @Test
    void refusesMissingOrMistypedNumbers() throws IOException {
        assertTrue(error("rules:\n  - {name: c, type: proximity, identities: [1, 2]}\n")
                .endsWith("rule 1 'c', field distance: missing; give a number"));
        assertTrue(error("rules:\n  - {name: c, type: proximity, identities: [1, 2], distance: near}\n")
                .endsWith("rule 1 'c', field distance: not a number; give a number"));
        assertTrue(error("rules:\n  - {name: s, type: speed, above: 3, below: 1}\n")
                .contains("field above/below: give exactly one of them"));
        assertTrue(error("rules:\n  - {name: s, type: speed, above: 3, refractory_s: -1}\n")
                .contains("field refractory_s: -1.0 is negative"));
    }

    @Test
    void refusesAProximityRuleWithoutExactlyTwoIdentities() throws IOException {
        assertTrue(error("rules:\n  - {name: c, type: proximity, identities: [1], distance: 4}\n")
                .contains("field identities: a proximity rule needs exactly two identities"));
    }

    @Test
    void refusesDuplicateAndUnusableNames() throws IOException {
        assertTrue(error("rules:\n  - {name: a, type: speed, above: 3}\n  - {name: a, type: speed, below: 3}\n")
                .contains("rule 2 'a', field name: is used by an earlier rule"));
        assertTrue(error("rules:\n  - {name: 'a b', type: speed, above: 3}\n")
                .contains("rule 1, field name: missing or not made of letters"));
    }

    @Test
    void pointsAtTheLineOfBrokenYaml() throws IOException {
        String message = error("rules:\n  - name: a\n    type: [speed\n");
        assertTrue(message.startsWith(temp.resolve("rules.yaml") + " line "), message);
        assertTrue(message.endsWith("; fix the syntax"), message);
        assertEquals(1, message.lines().count());
    }

    @Test
    void refusesAFileWithoutRules() throws IOException {
        assertTrue(error("osc: {host: localhost, port: 9000}\n").endsWith("no rules; give 'rules:' with a list of at least one rule"));
        assertTrue(error("rule:\n  - {name: a, type: speed, above: 3}\n").contains("unknown top-level field 'rule'"));
    }

    @Test
    void refusesAnOscHostThatDoesNotResolve() throws IOException {
        assertEquals(temp.resolve("rules.yaml") + ": osc.host: 'no-such-host.invalid' cannot be resolved; give a host"
                        + " name or IP address of the OSC receiver",
                error("rules:\n  - {name: a, type: speed, above: 3}\nosc: {host: no-such-host.invalid, port: 9000}\n"));
        assertTrue(error("rules:\n  - {name: a, type: speed, above: 3}\nosc: {host: localhost, port: 70000}\n")
                .endsWith("osc.port: 70000 is not a UDP port; give 1..65535"));
    }

    @Test
    void namesAMissingFile() {
        Path missing = temp.resolve("absent.yaml");
        BadInputException e = assertThrows(BadInputException.class, () -> StimulusRulesFile.read(missing, 8, 640, 480));
        assertTrue(e.getMessage().startsWith(missing + ": cannot read the rules file"), e.getMessage());
    }
}
