package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.identifier.evaluation.FrameSeries;
import dev.shoal.identifier.evaluation.PointColumns;
import dev.shoal.identifier.evaluation.PointObservation;
import dev.shoal.identifier.evaluation.PointSeriesReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code shoal annotate VIDEO TRAJECTORIES}: the video with each identity's label and tail drawn on it. */
@Command(name = "annotate", mixinStandardHelpOptions = true,
        description = "Draw trajectories onto their video (label, position and a one-second tail per identity)"
                + " and write an H.264 MP4.")
public final class AnnotateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "VIDEO", description = "The video the trajectories were tracked from.")
    Path video;

    @Parameters(index = "1", paramLabel = "TRAJECTORIES",
            description = "shoal's trajectories.csv (or any CSV with frame,identity,x,y columns, e.g. an arena's truth.csv).")
    Path trajectories;

    @Option(names = "--out", paramLabel = "FILE",
            description = "The annotated video (default: annotated.mp4 beside TRAJECTORIES).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(video)) {
            throw new BadInputException(video + ": no such file; give the video the trajectories were tracked from");
        }
        FrameSeries<PointObservation> tracks = PointSeriesReader.read(trajectories, PointColumns.shoalDefaults("--tracks"));
        Path target = (out != null ? out : trajectories.toAbsolutePath().resolveSibling("annotated.mp4")).toAbsolutePath();
        OutputDirectory.requireWritable("--out", target.getParent());
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        long frames = AnnotatedVideo.write(video, tracks, target, err);
        err.println(String.format(Locale.ROOT, "wrote %s: %d frames, %d identities, in %.1f s", target, frames,
                tracks.identities().size(), (System.nanoTime() - start) / 1e9));
        return 0;
    }
}
