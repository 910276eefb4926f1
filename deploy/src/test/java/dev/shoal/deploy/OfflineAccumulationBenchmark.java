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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Not a test: the segmenter and the trainer's accumulation on an arena, offline (no Kafka), with the
 * arena's truth to say how many global fragments are accepted per step and whether the identities
 * given to fragments are right. The same classes as the services, driven directly.
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
                for (int step = 0; ; step++) {
                    long t0 = System.nanoTime();
                    IdentityAccumulator.Step s = accumulator.step(snapshot);
                    System.out.printf(Locale.ROOT, "step %d: accepted %d global fragments (%d of %d in all), %d of %d"
                                    + " images, %.1f s; %s%n", step, s.accepted(), accumulator.acceptedGlobals().size(),
                            snapshot.globals().size(), s.acceptedImages(), s.storedImages(),
                            (System.nanoTime() - t0) / 1e9, purity(accumulator.identities(), animalsOfFragment));
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

    /** How many identified fragments carry the label most fragments of their animal carry. */
    private static String purity(Map<Long, Integer> labels, Map<Long, Map<Integer, Integer>> animalsOfFragment) {
        Map<Integer, Map<Integer, Integer>> labelsOfAnimal = new HashMap<>();
        labels.forEach((fragment, label) -> labelsOfAnimal.computeIfAbsent(majority(animalsOfFragment.get(fragment)),
                a -> new HashMap<>()).merge(label, 1, Integer::sum));
        int right = 0;
        for (Map<Integer, Integer> counts : labelsOfAnimal.values()) {
            right += counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
        return String.format(Locale.ROOT, "%d of %d identified fragments consistent with the truth", right, labels.size());
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
