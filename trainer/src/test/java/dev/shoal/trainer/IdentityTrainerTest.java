package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IdentityTrainerTest {

    private static final int CROP = 28;
    private static final int CLASSES = 5;

    @Test
    void learnsIdentitiesFromFaintSpotPatterns() {
        SpottedCrops textures = new SpottedCrops(CROP, CLASSES, 11);
        LabelledCrops crops = textures.generate(80, 1);
        StringWriter progress = new StringWriter();
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(12).withValidationFraction(0.2)
                .withProgressPeriod(Duration.ofHours(1));
        try (TrainedIdentityModel model = new IdentityTrainer(options, new PrintWriter(progress))
                .train(IdentityNetwork.idtracker(CROP, CLASSES), crops)) {
            TrainingReport report = model.report();
            assertTrue(report.validationAccuracy() > 0.95, "validation accuracy " + report);
            assertTrue(report.epochs() <= 12, report.toString());
            assertEquals(400, report.images());
            assertEquals(320, report.trainingImages());

            LabelledCrops unseen = textures.generate(40, 2);
            assertTrue(accuracy(model, unseen) > 0.95, "accuracy on unseen crops");
        }
        String line = progress.toString();
        assertTrue(line.contains("images/s") && line.contains("epoch ") && line.contains("validation accuracy"), line);
    }

    @Test
    void aCapOnImagesPerIdentityBoundsWhatOneRunTrainsAndValidatesOn() {
        LabelledCrops crops = new SpottedCrops(CROP, CLASSES, 11).generate(80, 1);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(1).withValidationFraction(0.2);
        try (TrainedIdentityModel capped = new IdentityTrainer(options.withMaxImagesPerIdentity(30), null)
                .train(IdentityNetwork.idtracker(CROP, CLASSES), crops);
             TrainedIdentityModel above = new IdentityTrainer(options.withMaxImagesPerIdentity(100), null)
                     .train(IdentityNetwork.idtracker(CROP, CLASSES), crops)) {
            assertEquals(CLASSES * 30, capped.report().images());
            assertEquals(CLASSES * 24, capped.report().trainingImages());
            assertEquals(CLASSES * 80, above.report().images());
        }
    }

    @Test
    void rejectsACapOfOneImagePerIdentity() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrainingOptions.defaults().withMaxImagesPerIdentity(1));
        assertTrue(e.getMessage().contains("maxImagesPerIdentity"), e.getMessage());
    }

    @Test
    void staysNearChanceWhenLabelsAreRandom() {
        LabelledCrops crops = SpottedCrops.withRandomLabels(new SpottedCrops(CROP, CLASSES, 11).generate(80, 1), 3);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(12).withValidationFraction(0.2);
        try (TrainedIdentityModel model = new IdentityTrainer(options, null)
                .train(IdentityNetwork.idtracker(CROP, CLASSES), crops)) {
            assertTrue(model.report().validationAccuracy() < 0.45, "chance is 0.2: " + model.report());
        }
    }

    @Test
    void sameSeedGivesSameWeights() {
        LabelledCrops crops = new SpottedCrops(20, 3, 5).generate(30, 1);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(2).withBatchSize(16);
        byte[] first = trainAndExport(crops, options.withSeed(7));
        byte[] second = trainAndExport(crops, options.withSeed(7));
        byte[] otherSeed = trainAndExport(crops, options.withSeed(8));
        assertArrayEquals(first, second);
        assertFalse(Arrays.equals(first, otherSeed), "a different seed should give different weights");
    }

    @Test
    void keepsTheWeightsOfTheBestValidationEpoch() {
        LabelledCrops crops = SpottedCrops.withRandomLabels(new SpottedCrops(20, 3, 5).generate(30, 1), 4);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(20).withPatience(2).withBatchSize(16).withSeed(3);
        IdentityNetwork network = IdentityNetwork.light(20, 3);
        float[] inputs = new float[crops.size() * network.pixels()];
        for (int i = 0; i < crops.size(); i++) {
            crops.scaleInto(i, inputs, i * network.pixels());
        }
        float[] restored;
        int bestEpoch;
        try (TrainedIdentityModel model = new IdentityTrainer(options, null).train(network, crops)) {
            bestEpoch = model.report().bestEpoch();
            assertTrue(bestEpoch < model.report().epochs(), "training should stop after the best epoch: " + model.report());
            restored = model.logits(inputs, crops.size());
        }
        try (TrainedIdentityModel model = new IdentityTrainer(options.withMaxEpochs(bestEpoch), null).train(network, crops)) {
            assertEquals(bestEpoch, model.report().epochs());
            assertArrayEquals(model.logits(inputs, crops.size()), restored);
        }
    }

    @Test
    void aWarmStartedTrainingStartsFromTheGivenWeightsAndUpdatesThem() {
        SpottedCrops textures = new SpottedCrops(CROP, CLASSES, 11);
        LabelledCrops crops = textures.generate(60, 1);
        LabelledCrops unseen = textures.generate(40, 2);
        IdentityNetwork network = IdentityNetwork.light(CROP, CLASSES);
        TrainingOptions options = TrainingOptions.defaults().withMaxEpochs(12).withValidationFraction(0.2).withSeed(1);
        float[] inputs = new float[unseen.size() * network.pixels()];
        for (int i = 0; i < unseen.size(); i++) {
            unseen.scaleInto(i, inputs, i * network.pixels());
        }
        try (TrainedIdentityModel first = new IdentityTrainer(options, null).train(network, crops)) {
            assertTrue(accuracy(first, unseen) > 0.95, "the warm start must be good for this test to mean anything");
            // One epoch at a tiny rate: from fresh weights it would stay near chance (0.2).
            TrainingOptions nudge = options.withMaxEpochs(1).withLearningRate(1e-5f).withSeed(2);
            try (TrainedIdentityModel warm = new IdentityTrainer(nudge, null).train(network, crops, first)) {
                assertTrue(accuracy(warm, unseen) > 0.95, "started from the given weights: " + accuracy(warm, unseen));
                assertFalse(Arrays.equals(first.logits(inputs, unseen.size()), warm.logits(inputs, unseen.size())),
                        "the training updated the weights it started from");
            }
        }
    }

    @Test
    void rejectsZeroClasses() {
        BadInputException network = assertThrows(BadInputException.class, () -> IdentityNetwork.idtracker(CROP, 0));
        assertTrue(network.getMessage().contains("classes"), network.getMessage());
        BadInputException crops = assertThrows(BadInputException.class, () -> new LabelledCrops(CROP, 0));
        assertTrue(crops.getMessage().contains("classes"), crops.getMessage());
    }

    @Test
    void rejectsCropOfWrongSize() {
        LabelledCrops crops = new LabelledCrops(CROP, CLASSES);
        BadInputException e = assertThrows(BadInputException.class, () -> crops.add(new byte[20 * 20], 0));
        assertTrue(e.getMessage().contains("crop 0") && e.getMessage().contains("784"), e.getMessage());
    }

    @Test
    void rejectsCropsThatDoNotFitTheNetwork() {
        LabelledCrops crops = new SpottedCrops(20, CLASSES, 1).generate(4, 1);
        IdentityTrainer trainer = new IdentityTrainer(TrainingOptions.defaults(), null);
        BadInputException size = assertThrows(BadInputException.class,
                () -> trainer.train(IdentityNetwork.idtracker(CROP, CLASSES), crops));
        assertTrue(size.getMessage().contains("cropSize"), size.getMessage());
        BadInputException classes = assertThrows(BadInputException.class,
                () -> trainer.train(IdentityNetwork.idtracker(20, CLASSES + 1), crops));
        assertTrue(classes.getMessage().contains("classes"), classes.getMessage());
    }

    @Test
    void rejectsEmptyDataset() {
        IdentityTrainer trainer = new IdentityTrainer(TrainingOptions.defaults(), null);
        BadInputException e = assertThrows(BadInputException.class,
                () -> trainer.train(IdentityNetwork.idtracker(CROP, CLASSES), new LabelledCrops(CROP, CLASSES)));
        assertTrue(e.getMessage().contains("crops is empty"), e.getMessage());
    }

    @Test
    void rejectsLabelOutsideTheClasses() {
        LabelledCrops crops = new LabelledCrops(CROP, CLASSES);
        BadInputException e = assertThrows(BadInputException.class, () -> crops.add(new byte[CROP * CROP], CLASSES));
        assertTrue(e.getMessage().contains("label"), e.getMessage());
    }

    private static byte[] trainAndExport(LabelledCrops crops, TrainingOptions options) {
        try (TrainedIdentityModel model = new IdentityTrainer(options, null)
                .train(IdentityNetwork.light(crops.cropSize(), crops.classes()), crops)) {
            return OnnxExporter.export(model).bytes();
        }
    }

    private static double accuracy(TrainedIdentityModel model, LabelledCrops crops) {
        int pixels = crops.cropSize() * crops.cropSize();
        float[] inputs = new float[crops.size() * pixels];
        for (int i = 0; i < crops.size(); i++) {
            crops.scaleInto(i, inputs, i * pixels);
        }
        float[] logits = model.logits(inputs, crops.size());
        int correct = 0;
        for (int i = 0; i < crops.size(); i++) {
            int best = 0;
            for (int c = 1; c < crops.classes(); c++) {
                if (logits[i * crops.classes() + c] > logits[i * crops.classes() + best]) {
                    best = c;
                }
            }
            if (best == crops.label(i)) {
                correct++;
            }
        }
        return (double) correct / crops.size();
    }
}
