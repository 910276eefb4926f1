package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shoal live} checks its inputs before any broker starts: each mistake is one line on stderr
 * naming the file or option and the fix, exit code 2, and no output directory.
 */
class LiveCommandBadInputTest {

    private static final String SOURCE = "arena:animals=4,fps=30,frames=30,size=320x240";

    @TempDir
    Path temp;

    private String run(String... extra) {
        return runWith("4", "0", extra);
    }

    private String runWith(String animals, String metricsPort, String... extra) {
        List<String> args = new ArrayList<>(List.of("live", "--source", SOURCE, "--animals", animals,
                "--out", temp.resolve("out").toString(), "--work-dir", temp.toString(), "--metrics-port", metricsPort));
        args.addAll(List.of(extra));
        StringWriter err = new StringWriter();
        int code = ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                args.toArray(String[]::new));
        assertEquals(2, code, "exit code; stderr: " + err);
        String message = err.toString().strip();
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.startsWith("shoal: "), message);
        assertFalse(Files.exists(temp.resolve("out")), "nothing written");
        return message;
    }

    private Path rules(String yaml) throws Exception {
        return Files.writeString(temp.resolve("rules.yaml"), yaml);
    }

    @Test
    void ruleForAnIdentityBeyondTheAnimalsNamesFileRuleAndField() throws Exception {
        Path rules = rules("""
                rules:
                  - {name: close, type: proximity, identities: [1, 4], distance: 30}
                  - {name: far, type: proximity, identities: [2, 5], distance: 30}
                """);
        String message = run("--rules", rules.toString());
        assertTrue(message.contains("rules.yaml") && message.contains("'far'") && message.contains("identities")
                && message.contains("identity 5") && message.contains("1..4"), message);
    }

    @Test
    void zoneOutsideTheFrameIsRefusedWithTheFrameSize() throws Exception {
        Path rules = rules("""
                rules:
                  - name: corner
                    type: zone-enter
                    zone: {circle: {x: 300, y: 200, radius: 50}}
                """);
        String message = run("--rules", rules.toString());
        assertTrue(message.contains("'corner'") && message.contains("zone") && message.contains("320x240"), message);
    }

    @Test
    void oscHostThatDoesNotResolveIsRefused() throws Exception {
        Path rules = rules("""
                rules:
                  - {name: centre, type: zone-enter, zone: {circle: {x: 160, y: 120, radius: 40}}}
                osc: {host: no-such-host.invalid, port: 9000}
                """);
        String message = run("--rules", rules.toString());
        assertTrue(message.contains("osc.host") && message.contains("no-such-host.invalid"), message);
    }

    @Test
    void oscHostTheKernelWillNotSendToIsRefused() throws Exception {
        // The limited broadcast address: Linux refuses a UDP socket to it without SO_BROADCAST.
        Path rules = rules("""
                rules:
                  - {name: centre, type: zone-enter, zone: {circle: {x: 160, y: 120, radius: 40}}}
                osc: {host: 255.255.255.255, port: 9000}
                """);
        String message = run("--rules", rules.toString());
        assertTrue(message.contains("rules.yaml: osc") && message.contains("255.255.255.255:9000")
                && message.contains("cannot send"), message);
    }

    @Test
    void metricsPortInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getByName("0.0.0.0"))) {
            String message = runWith("4", Integer.toString(taken.getLocalPort()));
            assertTrue(message.contains("--metrics-port " + taken.getLocalPort()) && message.contains("already in use"),
                    message);
        }
    }

    @Test
    void animalsThatDisagreeWithTheArenaAreRefused() {
        String message = runWith("5", "0");
        assertTrue(message.contains("--animals 5") && message.contains("4 animals"), message);
    }

    @Test
    void warmUpOfZeroIsRefusedForALiveSource() {
        String message = run("--warmup-seconds", "0");
        assertTrue(message.contains("--warmup-seconds"), message);
    }

    @Test
    void missingModelFileIsNamed() {
        Path missing = temp.resolve("none.onnx");
        String message = run("--model", missing.toString());
        assertTrue(message.contains(missing.toString()) && message.contains("no such model file"), message);
    }

    @Test
    void modelFileThatIsNotOnnxIsRefused() throws Exception {
        Path garbage = Files.writeString(temp.resolve("garbage.onnx"), "not a model");
        String message = run("--model", garbage.toString());
        assertTrue(message.contains("garbage.onnx") && message.contains("ONNX Runtime cannot load it"), message);
    }

    @Test
    void modelWithoutCropsIsRefused() throws Exception {
        Path garbage = Files.writeString(temp.resolve("any.onnx"), "not read");
        String message = run("--model", garbage.toString(), "--crop-size", "0");
        assertTrue(message.contains("--model") && message.contains("--crop-size"), message);
    }
}
