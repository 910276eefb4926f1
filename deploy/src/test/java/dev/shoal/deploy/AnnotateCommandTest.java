package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnotateCommandTest {

    @TempDir
    Path temp;

    private static int shoal(StringWriter err, String... args) {
        return ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), args);
    }

    @Test
    void drawsEachIdentityInColourWhereTheTrajectoriesPutItAndNowhereElse() throws Exception {
        Path arena = temp.resolve("arena");
        assertEquals(0, shoal(new StringWriter(), "simulate", "--animals", "3", "--frames", "20", "--size", "512", "512",
                "--seed", "4", "--out", arena.toString()));
        Path out = temp.resolve("annotated.mp4");
        StringWriter err = new StringWriter();
        assertEquals(0, shoal(err, "annotate", arena.resolve("video.mkv").toString(),
                arena.resolve("truth.csv").toString(), "--out", out.toString()), err.toString());
        assertTrue(err.toString().contains("20 frames, 3 identities"), err.toString());

        List<String[]> truth = Files.readAllLines(arena.resolve("truth.csv")).stream().skip(1)
                .map(l -> l.split(",")).toList();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(out.toFile())) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
            grabber.start();
            assertEquals(512, grabber.getImageWidth());
            int frames = 0;
            for (Frame frame = grabber.grabImage(); frame != null; frame = grabber.grabImage(), frames++) {
                if (frames != 10) {
                    continue;
                }
                for (String[] row : truth) {
                    if (Long.parseLong(row[0]) == 10) {
                        int x = (int) Math.round(Double.parseDouble(row[2]));
                        int y = (int) Math.round(Double.parseDouble(row[3]));
                        assertTrue(saturation(frame, x, y) > 60, "no colour at animal " + row[1] + " (" + x + "," + y + ")");
                    }
                }
                assertTrue(saturation(frame, 3, 3) < 20, "the untouched grey corner stays grey");
            }
            assertEquals(20, frames);
        }
    }

    @Test
    void aFileThatIsNotAVideoIsOneLineAndLeavesNoOutput() throws Exception {
        Path notVideo = Files.writeString(temp.resolve("notes.mkv"), "not a video");
        Path csv = Files.writeString(temp.resolve("trajectories.csv"), "frame,identity,x,y\n0,1,10,10\n");
        StringWriter err = new StringWriter();
        assertEquals(2, shoal(err, "annotate", notVideo.toString(), csv.toString()));
        assertTrue(err.toString().startsWith("shoal: " + notVideo + ": FFmpeg cannot read it"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        try (Stream<Path> left = Files.list(temp)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().contains("annotated")), "no partial output");
        }

        StringWriter err2 = new StringWriter();
        assertEquals(2, shoal(err2, "annotate", notVideo.toString(), temp.resolve("absent.csv").toString()));
        assertTrue(err2.toString().contains("absent.csv: no such file"), err2.toString());
    }

    /** Largest spread between colour channels in the 5x5 pixels around (x, y). */
    private static int saturation(Frame frame, int x, int y) {
        ByteBuffer pixels = (ByteBuffer) frame.image[0];
        int best = 0;
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                int px = Math.max(0, Math.min(frame.imageWidth - 1, x + dx));
                int py = Math.max(0, Math.min(frame.imageHeight - 1, y + dy));
                int at = py * frame.imageStride + px * 3;
                int b = pixels.get(at) & 0xff;
                int g = pixels.get(at + 1) & 0xff;
                int r = pixels.get(at + 2) & 0xff;
                best = Math.max(best, Math.max(b, Math.max(g, r)) - Math.min(b, Math.min(g, r)));
            }
        }
        return best;
    }
}
