package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.ModelRelease;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdentityScorerTest {

    private static final int CROP = 24;
    private static final int ANIMALS = 3;
    private final BandCrops bands = new BandCrops(CROP, ANIMALS);

    @Test
    void scoresCropsExactlyAsADirectOnnxRuntimeCall() throws OrtException {
        ModelRelease release = bands.release("s", 1, 8f);
        Random random = new Random(3);
        try (IdentityScorer scorer = IdentityScorer.load(release, CROP, ANIMALS, new IdentityScorer.Options(2, false));
             OrtSession direct = OrtEnvironment.getEnvironment().createSession(release.getOnnx().toByteArray())) {
            for (int batch : new int[] {1, 5, 150}) {
                List<ByteString> crops = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    crops.add(bands.crop(1 + i % ANIMALS, random));
                }
                float[][] scored = scorer.score(crops);
                float[][] expected = directScores(direct, crops);
                assertEquals(batch, scored.length);
                for (int i = 0; i < batch; i++) {
                    assertArrayEquals(expected[i], scored[i], 1e-6f, "batch " + batch + ", crop " + i);
                    assertEquals(i % ANIMALS, argmax(scored[i]), "the band model tells crop " + i + "'s animal");
                }
            }
        }
    }

    @Test
    void fallsBackToCpuWhenCudaIsAskedForWithoutAGpuBuild() {
        try (IdentityScorer scorer = IdentityScorer.load(bands.release("s", 2, 8f), CROP, ANIMALS,
                new IdentityScorer.Options(1, true))) {
            float[][] scored = scorer.score(List.of(bands.crop(2, new Random(1))));
            assertEquals(1, argmax(scored[0]));
        }
    }

    @Test
    void refusesAGraphWhoseInputIsNotTheBlobsCropSize() {
        ModelRelease wrongGraph = bands.release("s", 3, 8f).toBuilder()
                .setOnnx(ByteString.copyFrom(BandCrops.model(32, ANIMALS, 8f, BandCrops.INPUT, BandCrops.OUTPUT)))
                .build();
        BadInputException e = assertThrows(BadInputException.class,
                () -> IdentityScorer.load(wrongGraph, CROP, ANIMALS, IdentityScorer.Options.defaults()));
        assertTrue(e.getMessage().contains("model release s v3") && e.getMessage().contains("[-1, 1, 32, 32]")
                && e.getMessage().contains("1, 24, 24]"), e.getMessage());
    }

    @Test
    void refusesAReleaseForAnotherNumberOfAnimals() {
        ModelRelease forFour = new BandCrops(CROP, 4).release("s", 4, 8f);
        BadInputException e = assertThrows(BadInputException.class,
                () -> IdentityScorer.load(forFour, CROP, ANIMALS, IdentityScorer.Options.defaults()));
        assertTrue(e.getMessage().contains("classes is 4 but the session has 3 animals"), e.getMessage());
    }

    @Test
    void refusesAGraphWhoseOutputCountDisagreesWithItsRelease() {
        ModelRelease lying = bands.release("s", 5, 8f).toBuilder()
                .setOnnx(ByteString.copyFrom(BandCrops.model(CROP, 4, 8f, BandCrops.INPUT, BandCrops.OUTPUT)))
                .build();
        BadInputException e = assertThrows(BadInputException.class,
                () -> IdentityScorer.load(lying, CROP, ANIMALS, IdentityScorer.Options.defaults()));
        assertTrue(e.getMessage().contains("[-1, 4]"), e.getMessage());
    }

    @Test
    void refusesAReleaseNamingAMissingOutput() {
        ModelRelease misnamed = bands.release("s", 6, 8f).toBuilder().setOutputName("scores").build();
        BadInputException e = assertThrows(BadInputException.class,
                () -> IdentityScorer.load(misnamed, CROP, ANIMALS, IdentityScorer.Options.defaults()));
        assertTrue(e.getMessage().contains("no output 'scores'"), e.getMessage());
    }

    @Test
    void refusesBytesThatAreNotAnOnnxModel() {
        ModelRelease garbage = bands.release("s", 7, 8f).toBuilder()
                .setOnnx(ByteString.copyFromUtf8("not a model")).build();
        BadInputException e = assertThrows(BadInputException.class,
                () -> IdentityScorer.load(garbage, CROP, ANIMALS, IdentityScorer.Options.defaults()));
        assertTrue(e.getMessage().startsWith("model release s v7: ONNX Runtime cannot load it"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }

    private static float[][] directScores(OrtSession session, List<ByteString> crops) throws OrtException {
        float[] input = new float[crops.size() * CROP * CROP];
        for (int i = 0; i < crops.size(); i++) {
            byte[] bytes = crops.get(i).toByteArray();
            for (int p = 0; p < bytes.length; p++) {
                input[i * CROP * CROP + p] = (bytes[p] & 0xFF) / 255f;
            }
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(input),
                new long[] {crops.size(), 1, CROP, CROP});
             OrtSession.Result result = session.run(Map.of(BandCrops.INPUT, tensor))) {
            return (float[][]) result.get(BandCrops.OUTPUT).orElseThrow().getValue();
        }
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
