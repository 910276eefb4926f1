package dev.shoal.identifier;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.ModelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Measures (not a test) {@link IdentityScorer} throughput, crops/s, for batches 1, 16, 64 and 256,
 * including the GRAY8 to float conversion, on the model given as an ONNX file or, without one, the
 * tiny band model.
 *
 * <p>Arguments: ONNX file (or "bands"), crop size, identities, ONNX Runtime threads, seconds per batch.
 * The file's contract is assumed to be the trainer's: input "crops", output "probabilities".
 */
public final class IdentityScorerBenchmark {

    private IdentityScorerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String model = arg(args, 0, "bands");
        int crop = Integer.parseInt(arg(args, 1, "52"));
        int classes = Integer.parseInt(arg(args, 2, "10"));
        int threads = Integer.parseInt(arg(args, 3, "2"));
        double seconds = Double.parseDouble(arg(args, 4, "5"));
        BandCrops bands = new BandCrops(crop, classes);
        ModelRelease release = bands.release("bench", 1, 8f);
        if (!model.equals("bands")) {
            release = release.toBuilder().setOnnx(ByteString.copyFrom(Files.readAllBytes(
                    Path.of(model)))).build();
        }
        Random random = new Random(1);
        List<ByteString> pool = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            pool.add(bands.crop(1 + i % classes, random));
        }
        try (IdentityScorer scorer = IdentityScorer.load(release, crop, classes, new IdentityScorer.Options(threads, false))) {
            for (int batch : new int[] {1, 16, 64, 256}) {
                List<ByteString> crops = pool.subList(0, batch);
                for (int i = 0; i < 20; i++) {
                    scorer.score(crops);
                }
                long scored = 0;
                long start = System.nanoTime();
                while (System.nanoTime() - start < seconds * 1e9) {
                    scorer.score(crops);
                    scored += batch;
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "%s %dx%d, %d identities, %d threads, batch %d: %.0f crops/s%n",
                        model, crop, crop, classes, threads, batch, scored / elapsed);
            }
        }
    }

    private static String arg(String[] args, int index, String fallback) {
        return args.length > index ? args[index] : fallback;
    }
}
