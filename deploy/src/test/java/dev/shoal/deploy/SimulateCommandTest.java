package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.ingest.VideoFileSource;
import dev.shoal.ingest.VideoFrame;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {

    @TempDir
    Path temp;

    private static int shoal(StringWriter err, String... args) {
        return ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
    }

    private int simulate(Path out, String... extra) {
        String[] base = {"simulate", "--animals", "3", "--frames", "12", "--size", "320", "240", "--seed", "5",
                "--out", out.toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return shoal(new StringWriter(), args);
    }

    @Test
    void writesALosslessVideoWhosePixelsAndTruthAreTheSameForTheSameSeed() throws Exception {
        Path a = temp.resolve("a");
        Path b = temp.resolve("b");
        assertEquals(0, simulate(a));
        assertEquals(0, simulate(b));

        try (var files = Files.list(a)) {
            assertEquals(Set.of("video.mkv", "truth.csv", "arena.json"),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()));
        }
        assertArrayEquals(Files.readAllBytes(a.resolve("video.mkv")), Files.readAllBytes(b.resolve("video.mkv")));
        assertEquals(Files.readAllLines(a.resolve("truth.csv")), Files.readAllLines(b.resolve("truth.csv")));
        List<String> truth = Files.readAllLines(a.resolve("truth.csv"));
        assertEquals("frame,identity,x,y,angle,touching", truth.get(0));
        assertEquals(1 + 12 * 3, truth.size());
        JsonNode arena = new ObjectMapper().readTree(a.resolve("arena.json").toFile());
        assertEquals(3, arena.get("animals").asInt());
        assertEquals("medium", arena.get("difficulty").asText());

        try (VideoFileSource video = VideoFileSource.open(a.resolve("video.mkv"))) {
            assertEquals(320, video.width());
            assertEquals(240, video.height());
            int frames = 0;
            for (VideoFrame f = video.next(); f != null; f = video.next()) {
                frames++;
            }
            assertEquals(12, frames);
        }
    }

    @Test
    void writesH264AndMjpegToo() throws Exception {
        assertEquals(0, simulate(temp.resolve("h"), "--codec", "h264"));
        assertTrue(Files.size(temp.resolve("h/video.mp4")) > 0);
        assertEquals(0, simulate(temp.resolve("m"), "--codec", "mjpeg"));
        try (VideoFileSource video = VideoFileSource.open(temp.resolve("m/video.avi"))) {
            assertEquals(320, video.width());
        }
    }

    @Test
    void badOptionsAreOneLineNamingTheOptionWithExitCode2AndNoFiles() throws Exception {
        Path out = temp.resolve("bad");
        for (String[] args : List.of(
                new String[] {"--difficulty", "brutal"},
                new String[] {"--codec", "av1"},
                new String[] {"--animals", "0"},
                new String[] {"--frames", "0"},
                new String[] {"--size", "20", "20"})) {
            StringWriter err = new StringWriter();
            String[] full = new String[args.length + 7];
            String[] base = {"simulate", "--animals", "3", "--frames", "5", "--out", out.toString()};
            System.arraycopy(base, 0, full, 0, base.length);
            System.arraycopy(args, 0, full, base.length, args.length);
            assertEquals(2, shoal(err, full), String.join(" ", args));
            String message = err.toString().strip();
            assertFalse(message.contains("\n"), message);
            assertTrue(message.contains(args[0]), message);
        }
        assertFalse(Files.exists(out.resolve("video.mkv")));
    }
}
