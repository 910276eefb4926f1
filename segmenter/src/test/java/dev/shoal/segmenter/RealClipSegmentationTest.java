package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.ingest.VideoFileSource;
import dev.shoal.ingest.VideoFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The segmenter on the real clips of ../shared/data with their human ground truth: in every frame
 * where the truth has all animals well apart, it finds exactly that many individual blobs.
 */
class RealClipSegmentationTest {

    /**
     * Each clip with the settings a user gives it (the flies are light on a dark mesh; min area 300
     * drops mesh holes and debris). dreem's ten_zfish is left out: its 32 frames (one second) hold
     * larvae that barely move, so no frame sample shows the floor under them and no background-based
     * segmenter can find them there.
     */
    static Stream<Arguments> clips() {
        return Stream.of(
                Arguments.of("fly-clip/clip.mp4", "fly-clip/truth_thorax.csv", 2, 90.0,
                        new SegmentationSettings(Polarity.LIGHT_ON_DARK, 100, 300, 1024 * 1024 / 10, 2)),
                Arguments.of("dreem/two_flies.mp4", "dreem/two_flies_gt_thorax.csv", 2, 90.0,
                        new SegmentationSettings(Polarity.LIGHT_ON_DARK, 0, 300, 1024 * 1024 / 10, 2)),
                Arguments.of("dreem/three_flies.mp4", "dreem/three_flies_gt_thorax.csv", 3, 90.0,
                        new SegmentationSettings(Polarity.LIGHT_ON_DARK, 0, 300, 1024 * 1024 / 10, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clips")
    void findsOneIndividualBlobPerAnimalWhereTheAnimalsAreApart(String clip, String truth, int animals,
                                                                 double apartPx, SegmentationSettings settings)
            throws IOException {
        Path data = Path.of(System.getProperty("shoal.shared.data", "../shared/data"));
        Path video = data.resolve(clip);
        Assumptions.assumeTrue(Files.isReadable(video) && Files.isReadable(data.resolve(truth)),
                "shared clip " + video + " absent: the real-clip segmentation check needs ../shared/data");
        Map<Long, List<double[]>> positions = truthPositions(data.resolve(truth));
        WarmUp warmUp = new WarmUp(0, 40, 0, animals, true);
        int apart = 0;
        int right = 0;
        try (VideoFileSource source = VideoFileSource.open(video);
             SessionSegmenter session = new SessionSegmenter(source.width(), source.height(), source.fps(),
                     source.frameCount(), 0, settings, warmUp)) {
            for (VideoFrame f : frames(video)) {
                if (session.ready()) {
                    break;
                }
                session.warmUpWith(f.index(), f.gray(), false);
            }
            for (VideoFrame f : frames(video)) {
                SessionSegmenter.SegmentedFrame segmented = session.segment(f.index(), ByteBuffer.wrap(f.gray()));
                List<double[]> animalsInFrame = positions.getOrDefault(f.index(), List.of());
                if (animalsInFrame.size() != animals || !allApart(animalsInFrame, apartPx)) {
                    continue;
                }
                apart++;
                int individual = 0;
                for (boolean crossing : segmented.crossing()) {
                    individual += crossing ? 0 : 1;
                }
                right += individual == animals ? 1 : 0;
            }
        }
        double share = right / (double) apart;
        System.out.printf(Locale.ROOT, "%s: %d of %d frames with the animals apart have %d individual blobs (%.1f%%)%n",
                clip, right, apart, animals, 100 * share);
        assertTrue(apart > 0, "no frame of " + clip + " has the animals apart");
        assertTrue(share >= 0.95, clip + ": right blob count in " + right + " of " + apart + " frames");
    }

    /** The clip's frames; the warm-up needs only the start, so reading stops when the caller stops iterating. */
    private static Iterable<VideoFrame> frames(Path video) {
        return () -> new java.util.Iterator<>() {
            private final VideoFileSource source = VideoFileSource.open(video);
            private VideoFrame next = read();

            private VideoFrame read() {
                try {
                    VideoFrame f = source.next();
                    if (f == null) {
                        source.close();
                    }
                    return f;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public VideoFrame next() {
                VideoFrame f = next;
                next = read();
                return f;
            }
        };
    }

    private static boolean allApart(List<double[]> points, double distance) {
        for (int i = 0; i < points.size(); i++) {
            for (int j = i + 1; j < points.size(); j++) {
                if (Math.hypot(points.get(i)[0] - points.get(j)[0], points.get(i)[1] - points.get(j)[1]) < distance) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Frame -> the animals' centroids (the CSVs' centroid_x, centroid_y columns). */
    private static Map<Long, List<double[]>> truthPositions(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        int frame = header.indexOf("frame");
        int x = header.indexOf("centroid_x");
        int y = header.indexOf("centroid_y");
        Map<Long, List<double[]>> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            double px = Double.parseDouble(cells[x]);
            double py = Double.parseDouble(cells[y]);
            if (!Double.isNaN(px) && !Double.isNaN(py)) {
                out.computeIfAbsent(Long.parseLong(cells[frame]), k -> new ArrayList<>()).add(new double[] {px, py});
            }
        }
        return out;
    }
}
