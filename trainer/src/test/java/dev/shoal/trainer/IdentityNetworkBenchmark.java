package dev.shoal.trainer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Measures (not a test) training throughput of an identity network on synthetic crops, then ONNX
 * Runtime scoring throughput of the exported model.
 *
 * <p>Arguments: architecture (IDTRACKER or LIGHT), crop size, identities, images per identity,
 * epochs, ONNX Runtime threads, scoring batch. PyTorch threads: -Dai.djl.pytorch.num_threads.
 */
public final class IdentityNetworkBenchmark {

    private IdentityNetworkBenchmark() {
    }

    public static void main(String[] args) throws OrtException {
        IdentityNetwork.Architecture architecture = IdentityNetwork.Architecture.valueOf(arg(args, 0, "IDTRACKER"));
        int crop = Integer.parseInt(arg(args, 1, "52"));
        int classes = Integer.parseInt(arg(args, 2, "10"));
        int perClass = Integer.parseInt(arg(args, 3, "200"));
        int epochs = Integer.parseInt(arg(args, 4, "3"));
        int ortThreads = Integer.parseInt(arg(args, 5, "2"));
        int batch = Integer.parseInt(arg(args, 6, "64"));

        LabelledCrops crops = new SpottedCrops(crop, classes, 1).generate(perClass, 2);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(epochs).withPatience(epochs)
                .withProgressPeriod(Duration.ofSeconds(10));
        IdentityNetwork network = new IdentityNetwork(architecture, crop, classes);
        PrintWriter out = new PrintWriter(System.out, true);
        try (TrainedIdentityModel model = new IdentityTrainer(options, out).train(network, crops)) {
            TrainingReport report = model.report();
            out.printf(Locale.ROOT, "training %s %dx%d, %d identities, batch %d: %.0f images/s (%d epochs, %d training images,"
                            + " validation accuracy %.4f, %.1f s)%n", architecture, crop, crop, classes, options.batchSize(),
                    report.imagesPerSecond(), report.epochs(), report.trainingImages(), report.validationAccuracy(),
                    report.seconds());
            score(OnnxExporter.export(model), crops, ortThreads, batch, out);
        }
    }

    private static void score(OnnxIdentityModel onnx, LabelledCrops crops, int threads, int batch, PrintWriter out)
            throws OrtException {
        int pixels = onnx.inputSize() * onnx.inputSize();
        float[] inputs = new float[batch * pixels];
        for (int i = 0; i < batch; i++) {
            crops.scaleInto(i % crops.size(), inputs, i * pixels);
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
            sessionOptions.setIntraOpNumThreads(threads);
            try (OrtSession session = environment.createSession(onnx.bytes(), sessionOptions);
                 OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(inputs),
                         new long[] {batch, 1, onnx.inputSize(), onnx.inputSize()})) {
                for (int i = 0; i < 20; i++) {
                    session.run(Map.of(onnx.inputName(), tensor)).close();
                }
                long scored = 0;
                long start = System.nanoTime();
                while (System.nanoTime() - start < 10_000_000_000L) {
                    session.run(Map.of(onnx.inputName(), tensor)).close();
                    scored += batch;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                out.printf(Locale.ROOT, "ONNX Runtime scoring, batch %d, %d threads: %.0f crops/s%n",
                        batch, threads, scored / seconds);
            }
        }
    }

    private static String arg(String[] args, int index, String fallback) {
        return args.length > index ? args[index] : fallback;
    }
}
