package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.ModelRelease;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ModelReleasesTest {

    private static final OnnxIdentityModel ONNX = new OnnxIdentityModel(new byte[] {8, 1, 2, 3}, "crops", 52, 10);
    private static final TrainingReport REPORT = new TrainingReport(3000, 2700, 12, 9, 0.987, 0.05, 41.5, 400);

    @Test
    void carriesTheModelItsInputAndTrainingMetrics() throws InvalidProtocolBufferException {
        Instant created = Instant.ofEpochSecond(1_700_000_000L, 123);
        ModelRelease release = ModelReleases.release("fish-1", 3, "classic", ONNX, REPORT, created);
        ModelRelease decoded = ModelRelease.parseFrom(release.toByteArray());

        assertEquals("fish-1", decoded.getSession());
        assertEquals(3, decoded.getVersion());
        assertArrayEquals(ONNX.bytes(), decoded.getOnnx().toByteArray());
        assertEquals("crops", decoded.getInputName());
        assertEquals(52, decoded.getInputSize());
        assertEquals(10, decoded.getClasses());
        assertEquals("classic", decoded.getMetrics().getMethod());
        assertEquals(3000, decoded.getMetrics().getImages());
        assertEquals(0.987, decoded.getMetrics().getValidationAccuracy());
        assertEquals(41.5, decoded.getMetrics().getTrainingSeconds());
        assertEquals(1_700_000_000_000_000_123L, decoded.getCreatedWallTimeNs());
    }

    @Test
    void rejectsMissingSessionAndVersionZero() {
        BadInputException session = assertThrows(BadInputException.class,
                () -> ModelReleases.release(" ", 1, "classic", ONNX, REPORT, Instant.now()));
        assertTrue(session.getMessage().contains("session"), session.getMessage());
        BadInputException version = assertThrows(BadInputException.class,
                () -> ModelReleases.release("fish-1", 0, "classic", ONNX, REPORT, Instant.now()));
        assertTrue(version.getMessage().contains("version"), version.getMessage());
    }
}
