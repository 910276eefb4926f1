package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContrastiveTrainerTest {

    private static final int CROP = 28;
    private static final int ANIMALS = 5;
    /** The global fragment with the longest fragments, which seeds the clusters when no image is labelled. */
    private static final int SEEDING = 3;
    private static final TrainingOptions OPTIONS = TrainingOptions.defaults().withBatchSize(32).withLearningRate(3e-3f)
            .withMaxEpochs(15).withPatience(3).withSeed(1).withMethod(TrainingMethod.CONTRASTIVE);

    @Test
    void learnsIdentitiesFromFragmentPairsAloneNumberedAsTheSeedingGlobalFragment() {
        SpottedCrops textures = new SpottedCrops(CROP, ANIMALS, 11);
        ExperimentImages images = new ExperimentImages(CROP, ANIMALS);
        Random random = new Random(4);
        for (int g = 0; g < 12; g++) {
            List<List<byte[]>> fragments = new ArrayList<>();
            for (int k = 0; k < ANIMALS; k++) {
                List<byte[]> crops = new ArrayList<>();
                for (int i = 0; i < (g == SEEDING ? 40 : 12); i++) {
                    crops.add(textures.render(animalAt(g, k), random));
                }
                fragments.add(crops);
            }
            images.addGlobal(fragments);
        }
        IdentityNetwork network = IdentityNetwork.light(CROP, ANIMALS).forMethod(TrainingMethod.CONTRASTIVE);
        try (TrainedIdentityModel model = new IdentityTrainer(OPTIONS, null).train(network, images)) {
            TrainingReport report = model.report();
            assertTrue(Double.isNaN(report.validationAccuracy()), "no labelled image to validate on: " + report);
            assertTrue(report.bestEpoch() >= 1 && report.bestEpoch() <= report.epochs() && report.epochs() <= 15,
                    report.toString());
            LabelledCrops heldOut = textures.generate(60, 99);
            int[] animalOfCluster = new int[ANIMALS];
            for (int k = 0; k < ANIMALS; k++) {
                animalOfCluster[k] = animalAt(SEEDING, k);
            }
            double accuracy = IdentityAccumulatorTest.accuracy(model, heldOut, animalOfCluster);
            assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy + ", " + report);
        }
    }

    @Test
    void aContrastiveModelIsMadeAgainFromItsWeights() {
        SpottedCrops textures = new SpottedCrops(CROP, ANIMALS, 11);
        LabelledCrops crops = textures.generate(20, 1);
        IdentityNetwork network = IdentityNetwork.light(CROP, ANIMALS).forMethod(TrainingMethod.CONTRASTIVE);
        float[] inputs = new float[crops.size() * network.pixels()];
        for (int i = 0; i < crops.size(); i++) {
            crops.scaleInto(i, inputs, i * network.pixels());
        }
        try (TrainedIdentityModel model = new IdentityTrainer(OPTIONS.withMaxEpochs(2), null).train(network, crops);
             TrainedIdentityModel again = TrainedIdentityModel.of(network, model.weights(), model.report())) {
            assertEquals(model.centroids().scale(), again.centroids().scale());
            assertArrayEquals(model.centroids().centroids(), again.centroids().centroids());
            assertArrayEquals(model.logits(inputs, crops.size()), again.logits(inputs, crops.size()));
            BadInputException classifier = assertThrows(BadInputException.class,
                    () -> TrainedIdentityModel.of(IdentityNetwork.light(CROP, ANIMALS), model.weights(), model.report()));
            assertTrue(classifier.getMessage().contains("do not fit"), classifier.getMessage());
        }
    }

    @Test
    void rejectsANetworkThatDoesNotFitTheMethod() {
        LabelledCrops crops = new SpottedCrops(CROP, ANIMALS, 1).generate(4, 1);
        BadInputException classifier = assertThrows(BadInputException.class, () -> new IdentityTrainer(OPTIONS, null)
                .train(IdentityNetwork.light(CROP, ANIMALS), crops));
        assertTrue(classifier.getMessage().contains("forMethod(CONTRASTIVE)"), classifier.getMessage());
        BadInputException embedding = assertThrows(BadInputException.class,
                () -> new IdentityTrainer(OPTIONS.withMethod(TrainingMethod.CLASSIC), null)
                        .train(IdentityNetwork.light(CROP, ANIMALS).forMethod(TrainingMethod.CONTRASTIVE), crops));
        assertTrue(embedding.getMessage().contains("forMethod(CLASSIC)"), embedding.getMessage());
        BadInputException size = assertThrows(BadInputException.class,
                () -> IdentityNetwork.light(CROP, ANIMALS).withEmbedding(-1));
        assertTrue(size.getMessage().contains("embedding"), size.getMessage());
    }

    /** Position k of global fragment g shows this animal: the order changes from one global fragment to the next. */
    private static int animalAt(int global, int position) {
        return (position + global) % ANIMALS;
    }
}
