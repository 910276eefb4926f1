package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.ingest.VideoFileSource;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.WarmUp;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code shoal track VIDEO --animals N}: one video file through the whole pipeline to trajectories. */
@Command(name = "track", mixinStandardHelpOptions = true,
        description = "Track the animals in a video file and write trajectories.csv and summary.json.")
public final class TrackCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "VIDEO", description = "Video file (any format FFmpeg reads).")
    Path video;

    @Option(names = "--animals", required = true, paramLabel = "N", description = "Number of animals in the arena.")
    int animals;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory (default: out/<video name> in the current directory).")
    Path out;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka cluster to use; without it an embedded broker runs in this process.")
    String bootstrap;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the embedded broker and stream state live while running (default: system temp).")
    Path workDir;

    @Option(names = "--polarity", defaultValue = "DARK_ON_LIGHT",
            description = "Animals against the background: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Polarity polarity;

    @Option(names = "--threshold", defaultValue = "0",
            description = "Foreground threshold in grey levels; 0 chooses one from the image (default).")
    int threshold;

    @Option(names = "--min-area", defaultValue = "0",
            description = "Smallest blob, in pixels: noise below it is dropped, and a learnt range never goes below it"
                    + " (default 0: 10 px).")
    int minArea;

    @Option(names = "--max-area", defaultValue = "0",
            description = "Largest single-animal blob in pixels; larger blobs are crossings (default 0: learnt).")
    int maxArea;

    @Option(names = "--opening", defaultValue = "0", paramLabel = "RADIUS",
            description = "Radius of a morphological opening of the foreground that cuts legs and wings between"
                    + " touching animals (default 0: none).")
    int opening;

    @Option(names = "--crop-size", defaultValue = "52", paramLabel = "PX",
            description = "Side of each animal's identification image, 0 for none (default: ${DEFAULT-VALUE}).")
    int cropSize;

    @Option(names = "--warmup-seconds", defaultValue = "0",
            description = "Video time at the start the background is built from (default 0: frames sampled over the"
                    + " whole video, so animals resting at the start do not become background).")
    double warmupSeconds;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics while tracking (default: off; 0 for any free port).")
    Integer metricsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (animals < 1) {
            throw new BadInputException("--animals " + animals + ": must be at least 1; give the number of animals in the arena");
        }
        if (cropSize != 0 && (cropSize < 8 || cropSize > 512)) {
            throw new BadInputException("--crop-size " + cropSize + ": give 0 (no crops) or 8..512 pixels");
        }
        if (warmupSeconds < 0) {
            throw new BadInputException("--warmup-seconds " + warmupSeconds + ": give 0 (whole video) or more");
        }
        try (VideoFileSource source = VideoFileSource.open(video);
             MetricsEndpoint metrics = metricsPort == null ? null : MetricsEndpoint.start(metricsPort)) {
            Path outDir = out != null ? out : Path.of("out", stripExtension(video.getFileName().toString()));
            OutputDirectory.requireWritable("--out", outDir);
            // Until learnt, or when learning finds no frame with every animal apart: permissive bounds.
            boolean learn = maxArea == 0;
            int smallest = minArea > 0 ? minArea : 10;
            int largest = maxArea > 0 ? maxArea : source.width() * source.height() / 10;
            TrackJob job = new TrackJob(source, animals, outDir, bootstrap,
                    workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir")),
                    new SegmentationSettings(polarity, threshold, smallest, largest, opening),
                    new WarmUp(warmupSeconds, 60, cropSize, animals, learn), metrics);
            PrintWriter err = spec.commandLine().getErr();
            TrackSummary summary = job.run(err);
            err.println(summary.report());
        }
        return 0;
    }


    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
