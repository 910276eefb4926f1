package dev.shoal.deploy;

import dev.shoal.ingest.VideoFileSource;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code shoal probe VIDEO}: what FFmpeg sees in a video and how fast it decodes it to GRAY8 here;
 * the decode rate is the ceiling for {@code track} on that file.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Decode a video to GRAY8 and report its size, frame rate, frame count and decode speed.")
public final class ProbeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "VIDEO", description = "Video file (any format FFmpeg reads).")
    Path video;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        long frames = 0;
        try (VideoFileSource source = VideoFileSource.open(video)) {
            while (source.next() != null) {
                frames++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            spec.commandLine().getOut().println(String.format(Locale.ROOT,
                    "%s: %dx%d, %.3f fps, %d frames decoded in %.2f s (%.0f fps, %.1fx real time)",
                    video, source.width(), source.height(), source.fps(), frames, seconds, frames / seconds,
                    source.fps() > 0 ? frames / source.fps() / seconds : 0));
        }
        return 0;
    }
}
