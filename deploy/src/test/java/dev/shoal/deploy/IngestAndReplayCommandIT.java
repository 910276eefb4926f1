package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestAndReplayCommandIT {

    @TempDir
    Path temp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ShoalCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString().trim(), err.toString().trim());
    }

    @Test
    void ingestedFileIsReplayedUnderANewSession() throws Exception {
        Path video = temp.resolve("video.mkv");
        MovingEllipsesVideo.write(video, 30);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            Run ingest = run("ingest", video.toString(), "--session", "s1", "--stride", "2",
                    "--bootstrap", broker.bootstrap());
            assertEquals(0, ingest.code(), ingest.err());
            assertTrue(ingest.err().contains("15 frames read, 15 published, 0 dropped"), ingest.err());
            Run replay = run("replay", "--session", "s1", "--from", "5", "--speed", "max", "--as", "s1-again",
                    "--bootstrap", broker.bootstrap());
            assertEquals(0, replay.code(), replay.err());
            assertEquals("s1-again", replay.out());
            assertTrue(replay.err().contains("10 frames of s1 (index 5..14) republished as s1-again"), replay.err());
        }
    }

    @Test
    void badSourcesAndOptionsAreOneLineErrorsWithExitCodeTwo() {
        for (String[] args : new String[][] {
                {"ingest", "gopher://host/video"},
                {"ingest", temp.resolve("missing.mp4").toString()},
                {"ingest", "device:/dev/video-none"},
                {"ingest", temp.toString(), "--start", "later"},
                {"replay", "--session", "s", "--speed", "fast", "--bootstrap", "localhost:1"}}) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertFalse(r.err().contains("\n"), r.err());
            assertTrue(r.err().startsWith("shoal: "), r.err());
        }
    }
}
