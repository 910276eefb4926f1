package dev.shoal.identifier;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Writes {@code trajectories.csv} ({@code frame,time_s,identity,x,y,angle,confidence,fragment,interpolated})
 * to a temporary file beside the target and renames it into place only when complete, so a failed
 * run never leaves a partial file under the final name.
 */
public final class TrajectoryCsvWriter implements AutoCloseable {

    public static final String HEADER = "frame,time_s,identity,x,y,angle,confidence,fragment,interpolated";

    private final Path target;
    private final Path temporary;
    private final BufferedWriter out;
    private boolean committed;

    public TrajectoryCsvWriter(Path target) throws IOException {
        this.target = target;
        this.temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        this.out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8);
        out.write(HEADER);
        out.newLine();
    }

    /** Appends one row per track of the frame. */
    public void write(FrameTracks frame) throws IOException {
        for (Track t : frame.getTracksList()) {
            write(frame.getIndex(), frame.getMediaTimeS(), t);
        }
    }

    /** Appends one row. */
    public void write(long frame, double timeS, Track t) throws IOException {
        out.write(String.format(Locale.ROOT, "%d,%.6f,%d,%.3f,%.3f,%.4f,%.4f,%d,%d",
                frame, timeS, t.getIdentity(), t.getX(), t.getY(), t.getAngle(),
                t.getConfidence(), t.getFragment(), t.getInterpolated() ? 1 : 0));
        out.newLine();
    }

    /** Flushes and moves the file to its final name. */
    public void commit() throws IOException {
        out.close();
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    /** Without a commit, discards the temporary file. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            out.close();
            Files.deleteIfExists(temporary);
        }
    }
}
