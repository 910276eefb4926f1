package dev.shoal.deploy;

import com.google.protobuf.ByteString;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import dev.shoal.ingest.arena.ArenaGenerator;
import dev.shoal.ingest.arena.ArenaSettings;
import dev.shoal.ingest.arena.TruthRow;
import dev.shoal.segmenter.DetectedBlob;
import dev.shoal.segmenter.GlobalFragmentBuilder;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.SessionSegmenter;
import dev.shoal.segmenter.WarmUp;
import dev.shoal.trainer.GlobalFragmentStore;
import dev.shoal.trainer.IdentityAccumulator;
import dev.shoal.trainer.OfflineEngine;
import dev.shoal.trainer.TrainerService;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Not a test: the segmenter and the trainer's accumulation on an arena, offline (no Kafka), with the
 * arena's truth to say how many global fragments are accepted per step and whether the identities
 * given to fragments are right (in all, and among the fragments accepted on their own by partial
 * accumulation). The same classes as the services, driven directly.
 *
 * <pre>
 * java ... dev.shoal.deploy.OfflineAccumulationBenchmark 'arena:animals=5,frames=900,size=640x640,difficulty=easy,seed=1'
 * </pre>
 */
public final class OfflineAccumulationBenchmark {

    public static void main(String[] args) throws Exception {
        OfflineEngine.configure();
        ArenaSettings arena = ArenaSettings.parse(args[0]);
        int crop = 52;
        WarmUp warmUp = new WarmUp(0, 60, crop, arena.animals(), true);
        SegmentationSettings segmentation = new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 10,
                arena.width() * arena.height() / 10, 0);
        Map<Long, Map<Integer, Integer>> animalsOfFragment = new HashMap<>();
        Path dir = Files.createTempDirectory("shoal-accumulation");
        long start = System.nanoTime();
        try (SessionSegmenter session = new SessionSegmenter(arena.width(), arena.height(), arena.fps(),
                arena.frames(), 0, segmentation, warmUp);
             GlobalFragmentStore store = GlobalFragmentStore.create(dir.resolve("store"), crop, 1L << 30)) {
            try (ArenaGenerator generator = new ArenaGenerator(arena)) {
                for (long i = 0; !session.ready(); i++) {
                    session.warmUpWith(i, generator.next().gray(), i == arena.frames() - 1);
                }
            }
            int globals = 0;
            try (ArenaGenerator generator = new ArenaGenerator(arena)) {
                for (long i = 0; i < arena.frames(); i++) {
                    ArenaGenerator.ArenaFrame frame = generator.next();
                    SessionSegmenter.SegmentedFrame segmented = session.segment(i, ByteBuffer.wrap(frame.gray()));
                    for (int b = 0; b < segmented.blobs().size(); b++) {
                        if (segmented.crossing()[b]) {
                            continue;
                        }
                        DetectedBlob blob = segmented.blobs().get(b);
                        TruthRow nearest = null;
                        for (TruthRow t : frame.truth()) {
                            if (nearest == null || Math.hypot(t.x() - blob.x(), t.y() - blob.y())
                                    < Math.hypot(nearest.x() - blob.x(), nearest.y() - blob.y())) {
                                nearest = t;
                            }
                        }
                        animalsOfFragment.computeIfAbsent(segmented.fragments()[b], f -> new HashMap<>())
                                .merge(nearest.identity(), 1, Integer::sum);
                    }
                    for (GlobalFragmentBuilder.Global g : session.globalFragments(segmented, i == arena.frames() - 1)) {
                        store.add(toRecord(g, crop));
                        globals++;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "segmented %d frames, %d global fragments, %d stored images in %.1f s%n",
                    arena.frames(), globals, store.images(), (System.nanoTime() - start) / 1e9);
            IdentityAccumulator.Options options = TrainerService.Settings.defaults(arena.animals(), dir).accumulation();
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot();
                 IdentityAccumulator accumulator = new IdentityAccumulator(arena.animals(), crop, options,
                         new PrintWriter(System.err, true))) {
                Set<Long> stored = new HashSet<>();
                snapshot.globals().forEach(g -> Arrays.stream(g.fragmentIds()).forEach(stored::add));
                int[] animalOfLabel = null;
                Set<Long> partial = new HashSet<>();
                for (int step = 0; ; step++) {
                    long t0 = System.nanoTime();
                    Set<Long> before = accumulator.identities().keySet();
                    IdentityAccumulator.Step s = accumulator.step(snapshot);
                    Map<Long, Integer> identities = accumulator.identities();
                    if (animalOfLabel == null) {
                        animalOfLabel = new int[arena.animals()];
                        for (Map.Entry<Long, Integer> e : identities.entrySet()) {
                            animalOfLabel[e.getValue()] = majority(animalsOfFragment.get(e.getKey()));
                        }
                    }
                    if (s.partialFragments() > 0) {
                        identities.keySet().stream().filter(id -> !before.contains(id)).forEach(partial::add);
                    }
                    System.out.printf(Locale.ROOT, "step %d: accepted %d global fragments (%d of %d in all), %d fragments"
                                    + " on their own (%d of %d fragments identified), %d of %d images, %.1f s; %s;"
                                    + " validation %s%n", step, s.accepted(), accumulator.acceptedGlobals().size(),
                            snapshot.globals().size(), s.partialFragments(), identities.size(), stored.size(),
                            s.acceptedImages(), s.storedImages(), (System.nanoTime() - t0) / 1e9,
                            truth(identities, partial, animalOfLabel, animalsOfFragment),
                            s.report() == null ? "-" : String.format(Locale.ROOT, "%.4f", s.report().validationAccuracy()));
                    if (!s.trained() || accumulator.finished(snapshot)) {
                        break;
                    }
                }
                for (GlobalFragmentStore.StoredGlobal g : snapshot.globals()) {
                    if (accumulator.acceptedGlobals().contains(g.id())) {
                        continue;
                    }
                    StringBuilder line = new StringBuilder();
                    for (long id : g.fragmentIds()) {
                        Integer label = accumulator.identities().get(id);
                        line.append(String.format(Locale.ROOT, " %d(%d crops, animal %d%s)", id,
                                snapshot.fragment(id).crops(), majority(animalsOfFragment.get(id)),
                                label == null ? "" : ", label " + label));
                    }
                    System.out.printf(Locale.ROOT, "not accepted: global %d, frames %d-%d:%s%n", g.id(), g.firstFrame(),
                            g.lastFrame(), line);
                }
            }
        }
    }

    /**
     * How many identified fragments have the label of their animal (labels are named by the first
     * global fragment's fragments), in all and among those accepted on their own; and the share of
     * identified fragments that carry the label most fragments of their animal carry.
     */
    private static String truth(Map<Long, Integer> labels, Set<Long> partial, int[] animalOfLabel,
                                Map<Long, Map<Integer, Integer>> animalsOfFragment) {
        int right = 0;
        int partialRight = 0;
        Map<Integer, Map<Integer, Integer>> labelsOfAnimal = new HashMap<>();
        for (Map.Entry<Long, Integer> e : labels.entrySet()) {
            int animal = majority(animalsOfFragment.get(e.getKey()));
            labelsOfAnimal.computeIfAbsent(animal, a -> new HashMap<>()).merge(e.getValue(), 1, Integer::sum);
            if (animalOfLabel[e.getValue()] == animal) {
                right++;
                partialRight += partial.contains(e.getKey()) ? 1 : 0;
            }
        }
        int consistent = 0;
        for (Map<Integer, Integer> counts : labelsOfAnimal.values()) {
            consistent += counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
        return String.format(Locale.ROOT, "%d of %d identified fragments right (%d of %d accepted on their own),"
                + " %d consistent with the truth", right, labels.size(), partialRight, partial.size(), consistent);
    }

    private static int majority(Map<Integer, Integer> counts) {
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static GlobalFragment toRecord(GlobalFragmentBuilder.Global g, int crop) {
        GlobalFragment.Builder record = GlobalFragment.newBuilder().setSession("offline").setId(g.id())
                .setFirstFrame(g.firstFrame()).setLastFrame(g.lastFrame());
        for (GlobalFragmentBuilder.Fragment f : g.fragments()) {
            IndividualFragment.Builder member = record.addFragmentsBuilder().setId(f.id())
                    .setFirstFrame(f.firstFrame()).setLastFrame(f.lastFrame()).setCropSize(crop);
            List<byte[]> crops = f.crops();
            crops.forEach(c -> member.addCrops(ByteString.copyFrom(c)));
        }
        return record.build();
    }
}
