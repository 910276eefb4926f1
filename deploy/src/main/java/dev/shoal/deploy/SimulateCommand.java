package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.progress.ProgressLine;
import dev.shoal.ingest.arena.ArenaCodec;
import dev.shoal.ingest.arena.ArenaRecording;
import dev.shoal.ingest.arena.ArenaSettings;
import dev.shoal.ingest.arena.Difficulty;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code shoal simulate}: a synthetic arena video with exact ground truth. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Render a synthetic arena of look-alike animals with exact ground truth:"
                + " DIR/video.mkv (or .mp4/.avi), DIR/truth.csv, DIR/arena.json.")
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--animals", required = true, paramLabel = "N", description = "Number of animals.")
    int animals;

    @Option(names = "--frames", required = true, paramLabel = "F", description = "Number of frames.")
    long frames;

    @Option(names = "--size", arity = "2", paramLabel = "PX",
            description = "Width and height in pixels (default: 1024 1024).")
    int[] size = {1024, 1024};

    @Option(names = "--fps", defaultValue = "30", description = "Frame rate (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--difficulty", defaultValue = "medium", paramLabel = "easy|medium|hard",
            description = "Texture contrast, noise, lighting and encounters (default: ${DEFAULT-VALUE}).")
    String difficulty;

    @Option(names = "--codec", defaultValue = "ffv1", paramLabel = "ffv1|h264|mjpeg",
            description = "ffv1 (lossless .mkv, default), h264 (.mp4) or mjpeg (.avi).")
    String codec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (frames < 1) {
            throw new BadInputException("--frames " + frames + ": must be at least 1");
        }
        ArenaSettings settings = new ArenaSettings(animals, frames, size[0], size[1], fps, seed,
                parse(Difficulty.class, "--difficulty", difficulty), 0);
        ArenaCodec chosen = parse(ArenaCodec.class, "--codec", codec);
        OutputDirectory.requireWritable("--out", out);
        ArenaRecording recording = new ArenaRecording(settings, chosen);
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        try (ProgressLine line = new ProgressLine("simulate", "frames", recording::framesWritten, frames, null, err,
                Duration.ofSeconds(1))) {
            recording.writeTo(out);
        }
        err.println(String.format(Locale.ROOT, "wrote %s, truth.csv and arena.json to %s in %.1f s;"
                        + " %.1f%% of animal-frames touching", chosen.fileName(), out,
                (System.nanoTime() - start) / 1e9, 100 * recording.touchingFraction()));
        return 0;
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String option, String value) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                known.append(known.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
            }
            throw new BadInputException(option + " " + value + ": unknown; give one of " + known);
        }
    }

}
