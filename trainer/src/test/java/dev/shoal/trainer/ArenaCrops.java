package dev.shoal.trainer;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import dev.shoal.ingest.arena.ArenaGenerator;
import dev.shoal.ingest.arena.ArenaSettings;
import dev.shoal.ingest.arena.Difficulty;
import dev.shoal.ingest.arena.TruthRow;
import dev.shoal.segmenter.BackgroundModel;
import dev.shoal.segmenter.BlobDetector;
import dev.shoal.segmenter.DetectedBlob;
import dev.shoal.segmenter.IdentificationCropper;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.Segmentation;
import dev.shoal.segmenter.SegmentationSettings;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Identification crops of a synthetic arena video, cut the way the pipeline cuts them: frames from
 * ingest's {@link ArenaGenerator}, background as the median of sampled frames, blobs from the
 * segmenter's {@link BlobDetector}, crops from its {@link IdentificationCropper} (rotated to the long
 * axis, background outside the blob). Each crop is given its animal's true identity by the nearest
 * truth centroid; an animal's crop is kept only when it touches no other animal and its blob is its own.
 *
 * <p>{@code crop(frame, animal)} is null where no crop was kept.
 */
final class ArenaCrops {

    private final int animals;
    private final int cropSize;
    private final byte[][][] crops;

    private ArenaCrops(int animals, int cropSize, byte[][][] crops) {
        this.animals = animals;
        this.cropSize = cropSize;
        this.crops = crops;
    }

    int animals() {
        return animals;
    }

    int cropSize() {
        return cropSize;
    }

    int frames() {
        return crops.length;
    }

    byte[] crop(int frame, int animal) {
        return crops[frame][animal];
    }

    /**
     * Global fragments as the segmenter makes them from the first {@code frames} frames: a fragment is a
     * run of frames in which one animal is seen alone, a global fragment a maximal run of frames in
     * which every animal is, holding the fragments that span it (all their crops). Fills {@code truth}
     * with each fragment's true identity.
     */
    List<GlobalFragment> globalFragments(int frames, Map<Long, Integer> truth) {
        // Fragment id per (frame, animal): runs of consecutive frames with a crop.
        long[][] fragmentOf = new long[frames][animals];
        Map<Long, List<byte[]>> fragmentCrops = new HashMap<>();
        Map<Long, long[]> spans = new HashMap<>();
        long next = 1;
        for (int a = 0; a < animals; a++) {
            long current = 0;
            for (int f = 0; f < frames; f++) {
                byte[] crop = crop(f, a);
                if (crop == null) {
                    current = 0;
                    continue;
                }
                if (current == 0) {
                    current = next++;
                    truth.put(current, a);
                    fragmentCrops.put(current, new ArrayList<>());
                    spans.put(current, new long[] {f, f});
                }
                fragmentCrops.get(current).add(crop);
                spans.get(current)[1] = f;
                fragmentOf[f][a] = current;
            }
        }
        List<GlobalFragment> globals = new ArrayList<>();
        int f = 0;
        while (f < frames) {
            if (!allSeen(fragmentOf[f])) {
                f++;
                continue;
            }
            int first = f;
            while (f + 1 < frames && allSeen(fragmentOf[f + 1]) && Arrays.equals(fragmentOf[f], fragmentOf[f + 1])) {
                f++;
            }
            GlobalFragment.Builder global = GlobalFragment.newBuilder().setSession("arena").setId(globals.size() + 1)
                    .setFirstFrame(first).setLastFrame(f);
            for (long id : fragmentOf[first]) {
                IndividualFragment.Builder fragment = global.addFragmentsBuilder().setId(id).setCropSize(cropSize)
                        .setFirstFrame(spans.get(id)[0]).setLastFrame(spans.get(id)[1]);
                fragmentCrops.get(id).forEach(c -> fragment.addCrops(ByteString.copyFrom(c)));
            }
            globals.add(global.build());
            f++;
        }
        return globals;
    }

    private static boolean allSeen(long[] fragments) {
        for (long id : fragments) {
            if (id == 0) {
                return false;
            }
        }
        return true;
    }

    /** A medium-difficulty arena's crops (see the other {@code load}). */
    static ArenaCrops load(int animals, int frames, int side, long seed, int cropSize, Path cache) throws IOException {
        return load(animals, frames, side, seed, Difficulty.MEDIUM, cropSize, cache);
    }

    /** Renders and cuts the crops, or reads them from {@code cache} when it holds the same video's. */
    static ArenaCrops load(int animals, int frames, int side, long seed, Difficulty difficulty, int cropSize, Path cache)
            throws IOException {
        String level = difficulty == Difficulty.MEDIUM ? "" : "-" + difficulty.name().toLowerCase(Locale.ROOT);
        Path file = cache.resolve(String.format("arena-%d-%d-%d-%d-%d%s.crops", animals, frames, side, seed, cropSize, level));
        if (Files.isRegularFile(file)) {
            return read(file, animals, frames, cropSize);
        }
        ArenaCrops made = render(animals, frames, side, seed, difficulty, cropSize);
        Files.createDirectories(cache);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp)))) {
            for (byte[][] frame : made.crops) {
                for (byte[] crop : frame) {
                    out.writeBoolean(crop != null);
                    if (crop != null) {
                        out.write(crop);
                    }
                }
            }
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return made;
    }

    private static ArenaCrops read(Path file, int animals, int frames, int cropSize) throws IOException {
        byte[][][] crops = new byte[frames][animals][];
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            for (int f = 0; f < frames; f++) {
                for (int a = 0; a < animals; a++) {
                    if (in.readBoolean()) {
                        crops[f][a] = new byte[cropSize * cropSize];
                        in.readFully(crops[f][a]);
                    }
                }
            }
        }
        return new ArenaCrops(animals, cropSize, crops);
    }

    private static ArenaCrops render(int animals, int frames, int side, long seed, Difficulty difficulty, int cropSize) {
        ArenaSettings settings = new ArenaSettings(animals, frames, side, side, 30, seed, difficulty, 0);
        byte[] background = background(settings, frames);
        double bodyArea = settings.bodyLength() * settings.bodyLength() * 0.25;
        SegmentationSettings segmentation = new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0,
                (int) Math.max(4, 0.15 * bodyArea), (int) (2.5 * bodyArea), 0);
        byte[][][] crops = new byte[frames][animals][];
        IdentificationCropper cropper = null;
        try (ArenaGenerator arena = new ArenaGenerator(settings);
             BlobDetector detector = new BlobDetector(side, side, background, segmentation)) {
            for (int f = 0; f < frames; f++) {
                ArenaGenerator.ArenaFrame frame = arena.next();
                Segmentation found = detector.segment(frame.gray());
                if (cropper == null) {
                    // As the segmenter does: the median body length of the first frame's blobs.
                    double[] lengths = found.blobs().stream().mapToDouble(IdentificationCropper::bodyLength).sorted().toArray();
                    cropper = new IdentificationCropper(side, side, cropSize, lengths[lengths.length / 2]);
                }
                int[] owner = new int[found.blobs().size()];
                Arrays.fill(owner, -1);
                int[] claims = new int[found.blobs().size()];
                int[] blobOf = new int[animals];
                for (TruthRow truth : frame.truth()) {
                    int nearest = -1;
                    double best = settings.bodyLength() / 2;
                    for (int b = 0; b < found.blobs().size(); b++) {
                        DetectedBlob blob = found.blobs().get(b);
                        double d = Math.hypot(blob.x() - truth.x(), blob.y() - truth.y());
                        if (d < best) {
                            best = d;
                            nearest = b;
                        }
                    }
                    blobOf[truth.identity()] = truth.touching() ? -1 : nearest;
                    if (nearest >= 0) {
                        claims[nearest]++;
                    }
                }
                for (int a = 0; a < animals; a++) {
                    int b = blobOf[a];
                    if (b >= 0 && claims[b] == 1 && found.blobs().get(b).area() <= segmentation.maxArea()) {
                        crops[f][a] = cropper.crop(detector, found.blobs().get(b));
                    }
                }
            }
        } finally {
            if (cropper != null) {
                cropper.close();
            }
        }
        return new ArenaCrops(animals, cropSize, crops);
    }

    /** Median of 100 frames spread over the video, as the segmenter's warm-up samples them. */
    private static byte[] background(ArenaSettings settings, int frames) {
        int samples = Math.min(100, frames);
        BackgroundModel model = new BackgroundModel(settings.width(), settings.height(), samples);
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            picks.add((int) ((long) i * frames / samples));
        }
        try (ArenaGenerator arena = new ArenaGenerator(settings)) {
            int next = 0;
            for (int f = 0; f < frames && next < picks.size(); f++) {
                ArenaGenerator.ArenaFrame frame = arena.next();
                if (f == picks.get(next)) {
                    model.add(frame.gray());
                    next++;
                }
            }
        }
        return model.median();
    }
}
