package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input gives one line on stderr naming the problem and the fix, exit code 2, no output. */
class TrackCommandBadInputTest {

    @TempDir
    Path temp;
    Path video;
    Path out;

    @BeforeEach
    void writeVideo() throws Exception {
        video = temp.resolve("v.mkv");
        MovingEllipsesVideo.write(video, 5);
        out = temp.resolve("out");
    }

    private String run(String... args) {
        StringWriter err = new StringWriter();
        int code = ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
        assertEquals(2, code, "exit code; stderr: " + err);
        String message = err.toString().strip();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    void missingVideoIsNamed() {
        String message = run("track", temp.resolve("nope.mp4").toString(), "--animals", "2", "--out", out.toString());
        assertTrue(message.contains("nope.mp4") && message.contains("no such file"), message);
        assertFalse(Files.exists(out));
    }

    @Test
    void fileThatIsNotAVideoIsNamed() throws Exception {
        Path text = Files.writeString(temp.resolve("notes.mp4"), "these are not frames\n");
        String message = run("track", text.toString(), "--animals", "2", "--out", out.toString());
        assertTrue(message.contains("notes.mp4") && message.contains("not a video"), message);
        assertFalse(Files.exists(out));
    }

    @Test
    void videoWithoutFramesIsRefusedInsteadOfWaitingForever() throws Exception {
        Path empty = temp.resolve("empty.mkv");
        MovingEllipsesVideo.write(empty, 0);
        String message = run("track", empty.toString(), "--animals", "2", "--out", out.toString(),
                "--work-dir", temp.toString());
        assertTrue(message.contains("empty.mkv"), message);
        assertFalse(Files.exists(out.resolve("trajectories.csv")), "no outputs");
    }

    @Test
    void zeroOrNegativeAnimalsAreRefused() {
        assertTrue(run("track", video.toString(), "--animals", "0", "--out", out.toString()).contains("--animals"));
        assertTrue(run("track", video.toString(), "--animals", "-3", "--out", out.toString()).contains("--animals"));
        assertFalse(Files.exists(out));
    }

    @Test
    void unwritableOutIsNamed() throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "x");
        String message = run("track", video.toString(), "--animals", "4", "--out", file.resolve("sub").toString());
        assertTrue(message.contains("--out") && message.contains("writable"), message);
    }

    @Test
    void unreachableBootstrapIsNamedAndLeavesNoFiles() throws Exception {
        String message = run("track", video.toString(), "--animals", "4", "--out", out.toString(),
                "--bootstrap", "localhost:1");
        assertTrue(message.contains("--bootstrap localhost:1"), message);
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "no partial outputs");
        }
    }

    @Test
    void unknownOptionPointsToHelp() {
        assertTrue(run("track", video.toString(), "--animals", "4", "--frobnicate").contains("--help"));
    }

    @Test
    void metricsPortInUseIsNamedAndLeavesNoFiles() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            String message = run("track", video.toString(), "--animals", "2", "--out", out.toString(),
                    "--metrics-port", Integer.toString(taken.getLocalPort()));
            assertTrue(message.contains("--metrics-port " + taken.getLocalPort()) && message.contains("already in use"),
                    message);
        }
        assertFalse(Files.exists(out));
    }
}
