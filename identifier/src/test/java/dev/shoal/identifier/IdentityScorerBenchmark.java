package dev.shoal.identifier;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.ByteString;
import dev.shoal.core.proto.ModelRelease;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Measures (not a test) crops/s scored through the identifier's real path, {@link IdentityScorer}
 * (GRAY8 crops as the blobs carry them, scaled into a direct buffer, one ONNX Runtime call per
 * batch), at batches 1, 16, 64 and 256, for each model file given; and, in the same run, a baseline:
 * a plain {@code OrtSession.run} of the same model on an input tensor filled once (the network alone,
 * with ONNX Runtime's default session options and the same threads).
 *
 * <p>Arguments: ONNX Runtime threads, seconds per measurement, then ONNX files read as
 * {@link ModelFile} does (or "bands": the tests' tiny band model at 52x52, 10 identities). Crop size
 * and identities are read from each graph.
 */
public final class IdentityScorerBenchmark {

    private static final int[] BATCHES = {1, 16, 64, 256};

    private IdentityScorerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        double seconds = Double.parseDouble(args[1]);
        System.out.printf(Locale.ROOT, "%d ONNX Runtime threads, %.0f s per figure; cores %d, load average %s%n",
                threads, seconds, Runtime.getRuntime().availableProcessors(), loadAverage());
        for (int i = 2; i < args.length; i++) {
            ModelRelease release = release(args[i]);
            int crop = release.getInputSize();
            int classes = release.getClasses();
            Random random = new Random(1);
            List<ByteString> pool = new ArrayList<>();
            for (int c = 0; c < 256; c++) {
                byte[] pixels = new byte[crop * crop];
                random.nextBytes(pixels);
                pool.add(ByteString.copyFrom(pixels));
            }
            try (IdentityScorer scorer = IdentityScorer.load(release, crop, classes, new IdentityScorer.Options(threads, false));
                 OrtSession.SessionOptions plain = new OrtSession.SessionOptions()) {
                plain.setIntraOpNumThreads(threads);
                try (OrtSession direct = OrtEnvironment.getEnvironment().createSession(release.getOnnx().toByteArray(), plain)) {
                    for (int batch : BATCHES) {
                        List<ByteString> crops = pool.subList(0, batch);
                        double service = rate(seconds, batch, () -> scorer.score(crops));
                        float[] input = new float[batch * crop * crop];
                        for (int k = 0; k < input.length; k++) {
                            input[k] = random.nextFloat();
                        }
                        double baseline;
                        try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                                FloatBuffer.wrap(input), new long[] {batch, 1, crop, crop})) {
                            baseline = rate(seconds, batch, () -> {
                                direct.run(Map.of(release.getInputName(), tensor)).close();
                                return null;
                            });
                        }
                        System.out.printf(Locale.ROOT, "%s %dx%d, %d identities, batch %d: IdentityScorer %.0f crops/s,"
                                        + " direct OrtSession.run %.0f crops/s%n", args[i], crop, crop, classes, batch,
                                service, baseline);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
    }

    private static ModelRelease release(String model) throws Exception {
        if (model.equals("bands")) {
            return new BandCrops(52, 10).release("bench", 1, 8f);
        }
        ModelRelease named;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession graph = OrtEnvironment.getEnvironment().createSession(Files.readAllBytes(Path.of(model)),
                     options)) {
            long[] input = ((TensorInfo) graph.getInputInfo().values().iterator().next().getInfo()).getShape();
            String output = graph.getOutputNames().contains(ModelFile.PROBABILITIES) ? ModelFile.PROBABILITIES
                    : graph.getOutputNames().iterator().next();
            long[] probabilities = ((TensorInfo) graph.getOutputInfo().get(output).getInfo()).getShape();
            named = ModelFile.read(Path.of(model), (int) input[2], (int) probabilities[1]).release("bench");
        }
        return named;
    }

    private interface Call {
        Object run() throws Exception;
    }

    /** Crops per second of {@code call} (one batch per call) over {@code seconds}, after 20 warm-up calls. */
    private static double rate(double seconds, int batch, Call call) throws Exception {
        for (int i = 0; i < 20; i++) {
            call.run();
        }
        long calls = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < seconds * 1e9) {
            call.run();
            calls++;
        }
        return calls * batch / ((System.nanoTime() - start) / 1e9);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
