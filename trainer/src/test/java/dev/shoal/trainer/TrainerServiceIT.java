package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.ModelRelease;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer service on a real in-process broker: global fragments in, model releases out. */
class TrainerServiceIT {

    private static final int CROP = 28;
    private static final int ANIMALS = 5;

    @TempDir
    Path temp;

    @Test
    void publishesAModelQuicklyThenAFinalOneThatClassifiesHeldOutCrops() throws Exception {
        SpottedCrops textures = new SpottedCrops(CROP, ANIMALS, 11);
        SyntheticGlobalFragments session = new SyntheticGlobalFragments(textures, ANIMALS, 40, 80, 3);
        TrainingOptions training = TrainingOptions.defaults().withMaxEpochs(12).withPatience(2)
                .withValidationFraction(0.2).withSeed(1);
        TrainerService.Settings settings = new TrainerService.Settings(ANIMALS, temp.resolve("store"), 1L << 26,
                IdentityAccumulator.Options.defaults(training, IdentityNetwork.Architecture.LIGHT), 0.25);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(kafka, Topics.all(1, kafka.maxRecordBytes()));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            TrainerService service = new TrainerService(kafka, "g", Map.of(), settings, registry, null);
            Thread thread = new Thread(service);
            thread.start();
            List<ModelRelease> releases = new ArrayList<>();
            try (var producer = new KafkaProducer<>(kafka.producer("test"), new StringSerializer(),
                    Serdes.GLOBAL_FRAGMENT.serializer());
                 var consumer = new KafkaConsumer<>(kafka.consumer("reader", "reader"), new StringDeserializer(),
                         Serdes.MODEL_RELEASE.deserializer())) {
                consumer.subscribe(List.of(Topics.MODELS));
                for (GlobalFragment g : session.next("s1", 2)) {
                    producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "s1", g));
                }
                producer.flush();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (releases.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> releases.add(r.value()));
                }
                assertFalse(releases.isEmpty(), "a first model is published before the session ends");
                assertFalse(releases.get(0).getLast());

                for (GlobalFragment g : session.next("s1", 4)) {
                    producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "s1", g));
                }
                producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "s1", session.endMarker("s1")));
                producer.flush();
                deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while (!releases.get(releases.size() - 1).getLast() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> releases.add(r.value()));
                }
            } finally {
                service.stop();
                service.awaitStopped();
            }
            assertEquals(null, service.failure());

            ModelRelease last = releases.get(releases.size() - 1);
            assertTrue(last.getLast(), "the final release says last=true");
            for (int i = 0; i < releases.size(); i++) {
                assertEquals(i + 1, releases.get(i).getVersion(), "versions count up from 1");
                assertEquals("s1", releases.get(i).getSession());
            }
            assertEquals(OnnxExporter.PROBABILITIES_NAME, last.getOutputName());
            assertEquals(OnnxExporter.INPUT_NAME, last.getInputName());
            assertEquals(CROP, last.getInputSize());
            assertEquals(ANIMALS, last.getClasses());
            assertEquals("classic", last.getMetrics().getMethod());
            assertTrue(last.getMetrics().getGlobalFragments() >= 2, last.getMetrics().toString());
            double accuracy = heldOutAccuracy(last, textures.generate(100, 99));
            assertTrue(accuracy >= 0.99, "held-out accuracy of the final model in ONNX Runtime: " + accuracy);
            assertTrue(registry.get("shoal.trainer.trainings").counter().count() >= 2);
            assertEquals(releases.size(), registry.get("shoal.trainer.releases").counter().count());
            assertTrue(registry.get("shoal.trainer.validation.accuracy").tag("session", "s1").gauge().value() > 0.9);
        }
    }

    @Test
    void endsASessionWithoutGlobalFragmentsWithAnEmptyLastReleaseAndANote() throws Exception {
        TrainerService.Settings settings = TrainerService.Settings.defaults(ANIMALS, temp.resolve("store"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(kafka, Topics.all(1, kafka.maxRecordBytes()));
            TrainerService service = new TrainerService(kafka, "g", Map.of(), settings, new SimpleMeterRegistry(), null);
            Thread thread = new Thread(service);
            thread.start();
            ModelRelease release = null;
            try (var producer = new KafkaProducer<>(kafka.producer("test"), new StringSerializer(),
                    Serdes.GLOBAL_FRAGMENT.serializer());
                 var consumer = new KafkaConsumer<>(kafka.consumer("reader", "reader"), new StringDeserializer(),
                         Serdes.MODEL_RELEASE.deserializer())) {
                consumer.subscribe(List.of(Topics.MODELS));
                producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "empty",
                        GlobalFragment.newBuilder().setSession("empty").setId(-1).setLast(true).build()));
                producer.flush();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (release == null && System.nanoTime() < deadline) {
                    for (var r : consumer.poll(Duration.ofMillis(200))) {
                        release = r.value();
                    }
                }
            } finally {
                service.stop();
                service.awaitStopped();
            }
            assertTrue(release != null && release.getLast(), String.valueOf(release));
            assertEquals(1, release.getVersion());
            assertTrue(release.getOnnx().isEmpty());
            assertTrue(release.getNote().contains("no global fragment"), release.getNote());
        }
    }

    @Test
    void aRestartedTrainerCarriesOnFromItsStoreAndCheckpoint() throws Exception {
        SpottedCrops textures = new SpottedCrops(CROP, ANIMALS, 11);
        SyntheticGlobalFragments interrupted = new SyntheticGlobalFragments(textures, ANIMALS, 40, 80, 3);
        SyntheticGlobalFragments uninterrupted = new SyntheticGlobalFragments(textures, ANIMALS, 40, 80, 3);
        List<GlobalFragment> early = interrupted.next("s1", 2);
        List<GlobalFragment> later = interrupted.next("s1", 4);
        TrainingOptions training = TrainingOptions.defaults().withMaxEpochs(12).withPatience(2)
                .withValidationFraction(0.2).withSeed(1);
        // Republish after every training step, so the checkpoint before the stop holds both early global fragments.
        TrainerService.Settings settings = new TrainerService.Settings(ANIMALS, temp.resolve("store"), 1L << 26,
                IdentityAccumulator.Options.defaults(training, IdentityNetwork.Architecture.LIGHT), 0.0);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(kafka, Topics.all(1, kafka.maxRecordBytes()));
            List<ModelRelease> before = new ArrayList<>();
            List<ModelRelease> after = new ArrayList<>();
            List<ModelRelease> reference = new ArrayList<>();
            SimpleMeterRegistry restartedRegistry = new SimpleMeterRegistry();
            SessionCheckpoint stopped;
            try (var producer = new KafkaProducer<>(kafka.producer("test"), new StringSerializer(),
                    Serdes.GLOBAL_FRAGMENT.serializer());
                 var consumer = new KafkaConsumer<>(kafka.consumer("reader", "reader"), new StringDeserializer(),
                         Serdes.MODEL_RELEASE.deserializer())) {
                consumer.subscribe(List.of(Topics.MODELS));
                TrainerService first = new TrainerService(kafka, "g", Map.of(), settings, new SimpleMeterRegistry(), null);
                new Thread(first).start();
                try {
                    early.forEach(g -> producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "s1", g)));
                    producer.flush();
                    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    while ((before.isEmpty() || before.get(before.size() - 1).getMetrics().getGlobalFragments() < 2)
                            && System.nanoTime() < deadline) {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> before.add(r.value()));
                    }
                    assertFalse(before.isEmpty(), "the first trainer published before it was stopped");
                    assertEquals(2, before.get(before.size() - 1).getMetrics().getGlobalFragments(), before.toString());
                    // Stop mid-session: the later global fragments arrive while (or just before) it stops.
                    later.forEach(g -> producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "s1", g)));
                    producer.flush();
                } finally {
                    first.stop();
                    first.awaitStopped();
                }
                assertEquals(null, first.failure());
                consumer.poll(Duration.ofMillis(500)).forEach(r -> before.add(r.value()));
                stopped = SessionCheckpoint.read(SessionCheckpoint.in(temp.resolve("store").resolve("s1")));
                assertTrue(stopped.accumulator().acceptedGlobals().size() >= 2, stopped.toString());

                TrainerService restarted = new TrainerService(kafka, "g", Map.of(), settings, restartedRegistry, null);
                new Thread(restarted).start();
                try {
                    // Redelivered records (at-least-once) must not be stored or learnt twice.
                    early.forEach(g -> producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "s1", g)));
                    producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "s1", interrupted.endMarker("s1")));
                    // The same session's global fragments, never interrupted, as the reference.
                    uninterrupted.next("u", 6).forEach(g -> producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "u", g)));
                    producer.send(new ProducerRecord<>(Topics.GLOBAL_FRAGMENTS, "u", uninterrupted.endMarker("u")));
                    producer.flush();
                    long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
                    while ((after.isEmpty() || !after.get(after.size() - 1).getLast()
                            || reference.isEmpty() || !reference.get(reference.size() - 1).getLast())
                            && System.nanoTime() < deadline) {
                        for (var r : consumer.poll(Duration.ofMillis(200))) {
                            (r.key().equals("s1") ? after : reference).add(r.value());
                        }
                    }
                } finally {
                    restarted.stop();
                    restarted.awaitStopped();
                }
                assertEquals(null, restarted.failure());
            }

            assertFalse(after.isEmpty(), "the restarted trainer published for the interrupted session");
            long lastBefore = 0;
            for (ModelRelease r : before) {
                assertTrue(r.getVersion() > lastBefore, "versions increase: " + r.getVersion() + " after " + lastBefore);
                lastBefore = r.getVersion();
            }
            assertTrue(stopped.version() >= lastBefore, "the checkpoint is written before its release is sent");
            long previous = stopped.version();
            for (ModelRelease r : after) {
                assertTrue(r.getVersion() > previous, "versions keep increasing after the restart: " + r.getVersion()
                        + " after " + previous);
                previous = r.getVersion();
                assertTrue(r.getMetrics().getGlobalFragments() >= 2,
                        "the restarted trainer keeps the global fragments accepted before the stop: " + r.getMetrics());
            }
            assertTrue(restartedRegistry.get("shoal.trainer.trainings").counter().count() >= 1);

            try (GlobalFragmentStore store = GlobalFragmentStore.reopen(temp.resolve("store").resolve("s1"), 1L << 26)) {
                assertEquals(6, store.globals().size(), "each global fragment is stored once");
                Set<Long> fragments = new HashSet<>();
                long images = 0;
                for (GlobalFragment g : concat(early, later)) {
                    for (var f : g.getFragmentsList()) {
                        if (fragments.add(f.getId())) {
                            images += f.getCropsCount();
                        }
                    }
                }
                assertEquals(images, store.images(), "each fragment's crops are stored once");
            }

            ModelRelease last = after.get(after.size() - 1);
            ModelRelease expected = reference.get(reference.size() - 1);
            assertTrue(last.getLast() && expected.getLast());
            assertEquals(expected.getMetrics().getMethod(), last.getMetrics().getMethod());
            assertEquals(expected.getClasses(), last.getClasses());
            assertEquals(expected.getMetrics().getGlobalFragments(), last.getMetrics().getGlobalFragments(),
                    "the restarted run accepts as many global fragments as the uninterrupted one");
            assertEquals(expected.getMetrics().getImages(), last.getMetrics().getImages());
            double restartedAccuracy = heldOutAccuracy(last, textures.generate(100, 99));
            double referenceAccuracy = heldOutAccuracy(expected, textures.generate(100, 99));
            assertTrue(restartedAccuracy >= 0.99 && referenceAccuracy >= 0.99,
                    "held-out accuracy restarted " + restartedAccuracy + ", uninterrupted " + referenceAccuracy);
        }
    }

    private static List<GlobalFragment> concat(List<GlobalFragment> a, List<GlobalFragment> b) {
        List<GlobalFragment> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aSessionWhoseEndMarkerArrivedBeforeTheStopIsFinishedAtStartUp() throws Exception {
        SpottedCrops textures = new SpottedCrops(CROP, ANIMALS, 11);
        SyntheticGlobalFragments session = new SyntheticGlobalFragments(textures, ANIMALS, 40, 80, 3);
        Path directory = temp.resolve("store").resolve("ended");
        // What a trainer stopped right after consuming the end marker leaves: the store and the marker's file.
        try (GlobalFragmentStore store = GlobalFragmentStore.create(directory, CROP, 1L << 26)) {
            session.next("ended", 3).forEach(store::add);
        }
        Files.createFile(directory.resolve(TrainerService.END_FILE));
        TrainingOptions training = TrainingOptions.defaults().withMaxEpochs(12).withPatience(2)
                .withValidationFraction(0.2).withSeed(1);
        TrainerService.Settings settings = new TrainerService.Settings(ANIMALS, temp.resolve("store"), 1L << 26,
                IdentityAccumulator.Options.defaults(training, IdentityNetwork.Architecture.LIGHT), 0.25);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(temp)) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrap());
            TopicAdmin.createTopics(kafka, Topics.all(1, kafka.maxRecordBytes()));
            List<ModelRelease> releases = new ArrayList<>();
            TrainerService service = new TrainerService(kafka, "g", Map.of(), settings, new SimpleMeterRegistry(), null);
            new Thread(service).start();
            try (var consumer = new KafkaConsumer<>(kafka.consumer("reader", "reader"), new StringDeserializer(),
                    Serdes.MODEL_RELEASE.deserializer())) {
                consumer.subscribe(List.of(Topics.MODELS));
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while ((releases.isEmpty() || !releases.get(releases.size() - 1).getLast())
                        && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> releases.add(r.value()));
                }
            } finally {
                service.stop();
                service.awaitStopped();
            }
            assertEquals(null, service.failure());
            ModelRelease last = releases.get(releases.size() - 1);
            assertTrue(last.getLast(), "the session is finished without its end marker being delivered again");
            assertEquals("ended", last.getSession());
            assertEquals(3, last.getMetrics().getGlobalFragments());
            assertTrue(SessionCheckpoint.read(SessionCheckpoint.in(directory)).last());
        }
    }

    /**
     * Accuracy under the best match of the model's labels to the true identities (labels are arbitrary
     * up to a permutation): each true identity maps to its most frequent label, which must be a permutation.
     */
    private static double heldOutAccuracy(ModelRelease release, LabelledCrops crops) throws OrtException {
        int pixels = CROP * CROP;
        float[] inputs = new float[crops.size() * pixels];
        for (int i = 0; i < crops.size(); i++) {
            crops.scaleInto(i, inputs, i * pixels);
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        float[] probabilities;
        try (OrtSession ort = environment.createSession(release.getOnnx().toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(inputs),
                     new long[] {crops.size(), 1, CROP, CROP});
             OrtSession.Result result = ort.run(Map.of(release.getInputName(), tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(release.getOutputName()).orElseThrow()).getFloatBuffer();
            probabilities = new float[out.remaining()];
            out.get(probabilities);
        }
        int classes = release.getClasses();
        int[][] votes = new int[classes][classes];
        int[] predicted = new int[crops.size()];
        for (int i = 0; i < crops.size(); i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probabilities[i * classes + c] > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            votes[crops.label(i)][best]++;
        }
        int[] labelOf = new int[classes];
        Set<Integer> used = new HashSet<>();
        for (int identity = 0; identity < classes; identity++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (votes[identity][c] > votes[identity][best]) {
                    best = c;
                }
            }
            labelOf[identity] = best;
            used.add(best);
        }
        assertEquals(classes, used.size(), "each identity has its own label");
        int correct = 0;
        for (int i = 0; i < crops.size(); i++) {
            if (predicted[i] == labelOf[crops.label(i)]) {
                correct++;
            }
        }
        return (double) correct / crops.size();
    }
}
