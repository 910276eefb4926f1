package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.ModelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

    private static final int CROP = 12;
    private static final int ANIMALS = 3;

    @TempDir
    Path temp;

    @Test
    void aFileBecomesTheSessionsFinalReleaseAndScoresAsTheSameModelReleasedByTheTrainer() throws Exception {
        Path file = Files.write(temp.resolve("bands.onnx"), BandCrops.model(CROP, ANIMALS, 8f, "images", "probabilities"));
        ModelRelease release = ModelFile.read(file, CROP, ANIMALS).release("s1");
        assertEquals("s1", release.getSession());
        assertEquals(1, release.getVersion());
        assertTrue(release.getLast(), "no other release follows a model file");
        assertEquals("images", release.getInputName());
        assertEquals("probabilities", release.getOutputName());

        BandCrops bands = new BandCrops(CROP, ANIMALS);
        List<ByteString> crops = List.of(bands.crop(1, new Random(1)), bands.crop(3, new Random(2)));
        try (IdentityScorer fromFile = IdentityScorer.load(release, CROP, ANIMALS, IdentityScorer.Options.defaults());
             IdentityScorer released = IdentityScorer.load(bands.release("s1", 1, 8f), CROP, ANIMALS,
                     IdentityScorer.Options.defaults())) {
            float[][] expected = released.score(crops);
            float[][] got = fromFile.score(crops);
            for (int i = 0; i < crops.size(); i++) {
                assertArrayEquals(expected[i], got[i], 0f);
            }
        }
    }

    @Test
    void aModelForAnotherNumberOfAnimalsIsRefusedNamingTheFile() throws Exception {
        Path file = Files.write(temp.resolve("four.onnx"), BandCrops.model(CROP, 4, 8f, "crops", "probabilities"));
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.read(file, CROP, ANIMALS));
        assertTrue(e.getMessage().contains("four.onnx") && e.getMessage().contains("[batch, " + ANIMALS + "]"),
                e.getMessage());
    }

    @Test
    void aModelForAnotherCropSizeIsRefusedNamingTheFile() throws Exception {
        Path file = Files.write(temp.resolve("small.onnx"), BandCrops.model(8, ANIMALS, 8f, "crops", "probabilities"));
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.read(file, CROP, ANIMALS));
        assertTrue(e.getMessage().contains("small.onnx") && e.getMessage().contains(CROP + ", " + CROP), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = temp.resolve("none.onnx");
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.read(missing, CROP, ANIMALS));
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
    }
}
