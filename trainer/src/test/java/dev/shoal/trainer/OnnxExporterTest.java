package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxExporterTest {

    private static final int CROP = 28;
    private static final int CLASSES = 4;

    @ParameterizedTest
    @EnumSource(IdentityNetwork.Architecture.class)
    void exportedModelGivesTheDjlLogitsInOnnxRuntime(IdentityNetwork.Architecture architecture) throws OrtException {
        LabelledCrops crops = new SpottedCrops(CROP, CLASSES, 3).generate(20, 1);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(2).withBatchSize(16);
        IdentityNetwork network = new IdentityNetwork(architecture, CROP, CLASSES);
        try (TrainedIdentityModel model = new IdentityTrainer(options, null).train(network, crops)) {
            OnnxIdentityModel onnx = OnnxExporter.export(model);
            assertEquals(OnnxExporter.INPUT_NAME, onnx.inputName());
            assertEquals(CROP, onnx.inputSize());
            assertEquals(CLASSES, onnx.classes());

            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
                sessionOptions.setIntraOpNumThreads(1);
                try (OrtSession session = environment.createSession(onnx.bytes(), sessionOptions)) {
                    Random random = new Random(9);
                    for (int batch : new int[] {1, 7}) {
                        float[] inputs = new float[batch * CROP * CROP];
                        for (int i = 0; i < inputs.length; i++) {
                            inputs[i] = random.nextFloat();
                        }
                        float[] expected = model.logits(inputs, batch);
                        float[][] outputs = run(environment, session, inputs, batch);
                        assertEquals(batch * CLASSES, outputs[0].length);
                        assertTrue(maxAbsDifference(expected, outputs[0]) <= 1e-4,
                                "batch " + batch + ": max |ORT - DJL| = " + maxAbsDifference(expected, outputs[0]));
                        assertTrue(maxAbsDifference(softmax(expected), outputs[1]) <= 1e-5, "probabilities, batch " + batch);
                    }
                }
            }
        }
    }

    @Test
    void exportedContrastiveModelGivesTheDjlProbabilitiesInOnnxRuntime() throws OrtException {
        LabelledCrops crops = new SpottedCrops(CROP, CLASSES, 3).generate(20, 1);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(2).withBatchSize(16)
                .withMethod(TrainingMethod.CONTRASTIVE);
        IdentityNetwork network = IdentityNetwork.light(CROP, CLASSES).forMethod(TrainingMethod.CONTRASTIVE);
        try (TrainedIdentityModel model = new IdentityTrainer(options, null).train(network, crops)) {
            OnnxIdentityModel onnx = OnnxExporter.export(model);
            assertEquals(CLASSES, onnx.classes(), "the contrastive model outputs one probability per identity");

            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
                sessionOptions.setIntraOpNumThreads(1);
                try (OrtSession session = environment.createSession(onnx.bytes(), sessionOptions)) {
                    Random random = new Random(9);
                    for (int batch : new int[] {1, 7}) {
                        float[] inputs = new float[batch * CROP * CROP];
                        for (int i = 0; i < batch; i++) {
                            // Real crops, so the distances are those the identifier will see.
                            crops.scaleInto(random.nextInt(crops.size()), inputs, i * CROP * CROP);
                        }
                        float[] logits = model.logits(inputs, batch);
                        float[][] outputs = run(environment, session, inputs, batch);
                        float[] embedding = copy(environment, session, inputs, batch, OnnxExporter.EMBEDDING_NAME);
                        assertEquals(batch * CLASSES, outputs[1].length);
                        assertTrue(maxAbsDifference(model.outputs(inputs, batch), embedding) <= 1e-4,
                                "embedding, batch " + batch);
                        assertTrue(maxAbsDifference(softmax(logits), outputs[1]) <= 1e-4,
                                "batch " + batch + ": max |ORT - DJL| probability = "
                                        + maxAbsDifference(softmax(logits), outputs[1]));
                        // Logits are scaled squared distances: compare them relative to their size.
                        for (int i = 0; i < logits.length; i++) {
                            assertEquals(logits[i], outputs[0][i], 1e-4 * Math.max(1, Math.abs(logits[i])), "logit " + i);
                        }
                    }
                }
            }
        }
    }

    private static float[] copy(OrtEnvironment environment, OrtSession session, float[] inputs, int batch, String output)
            throws OrtException {
        long[] shape = {batch, 1, CROP, CROP};
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(inputs), shape);
             OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT_NAME, tensor), Set.of(output))) {
            return copy((OnnxTensor) result.get(output).orElseThrow());
        }
    }

    private static float[][] run(OrtEnvironment environment, OrtSession session, float[] inputs, int batch)
            throws OrtException {
        long[] shape = {batch, 1, CROP, CROP};
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(inputs), shape);
             OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT_NAME, tensor))) {
            float[] logits = copy((OnnxTensor) result.get(OnnxExporter.LOGITS_NAME).orElseThrow());
            float[] probabilities = copy((OnnxTensor) result.get(OnnxExporter.PROBABILITIES_NAME).orElseThrow());
            return new float[][] {logits, probabilities};
        }
    }

    private static float[] copy(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static float[] softmax(float[] logits) {
        float[] p = new float[logits.length];
        for (int row = 0; row < logits.length / CLASSES; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                max = Math.max(max, logits[row * CLASSES + c]);
            }
            double sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                sum += Math.exp(logits[row * CLASSES + c] - max);
            }
            for (int c = 0; c < CLASSES; c++) {
                p[row * CLASSES + c] = (float) (Math.exp(logits[row * CLASSES + c] - max) / sum);
            }
        }
        return p;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
