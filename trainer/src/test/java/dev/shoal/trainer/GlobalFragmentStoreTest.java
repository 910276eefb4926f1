package dev.shoal.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobalFragmentStoreTest {

    private static final int CROP = 12;
    private static final int ANIMALS = 4;

    @TempDir
    Path temp;

    @Test
    void storesEachFragmentsCropsOnceAndReadsThemBack() {
        List<GlobalFragment> globals = session(6, 7);
        Map<Long, IndividualFragment> sent = fragments(globals);
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 20)) {
            globals.forEach(store::add);
            assertEquals(6, store.globals().size());
            long expected = sent.values().stream().mapToLong(IndividualFragment::getCropsCount).sum();
            assertEquals(expected, store.images(), "crops of fragments shared by global fragments are stored once");
            assertEquals(expected * CROP * CROP, store.diskBytes());
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                assertSameCrops(snapshot, sent);
            }
            GlobalFragmentStore.StoredFragment shared = store.fragment(globals.get(1).getFragments(0).getId());
            assertTrue(shared.globals().contains(2L), shared.toString());
        }
    }

    @Test
    void ignoresARedeliveredGlobalFragment() {
        List<GlobalFragment> globals = session(2, 5);
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 20)) {
            assertTrue(store.add(globals.get(0)));
            long bytes = store.diskBytes();
            assertFalse(store.add(globals.get(0)));
            assertEquals(bytes, store.diskBytes());
            assertEquals(1, store.globals().size());
        }
    }

    @Test
    void evictsTheOldestGlobalFragmentsToStayWithinTheBound() {
        List<GlobalFragment> globals = session(40, 8);
        long maxBytes = 30L * 8 * CROP * CROP;
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, maxBytes)) {
            GlobalFragmentStore.Snapshot early = null;
            for (int i = 0; i < globals.size(); i++) {
                store.add(globals.get(i));
                assertTrue(store.diskBytes() <= maxBytes, "after global " + i + ": " + store.diskBytes());
                if (i == 3) {
                    early = store.snapshot();
                }
            }
            assertTrue(store.evictedGlobals() > 0);
            List<GlobalFragmentStore.StoredGlobal> kept = store.globals();
            assertEquals(globals.get(globals.size() - 1).getId(), kept.get(kept.size() - 1).id(), "the newest is kept");
            assertEquals(40 - store.evictedGlobals(), kept.size());
            assertEquals(globals.get(40 - kept.size()).getId(), kept.get(0).id(), "the oldest are the ones evicted");
            for (IndividualFragment f : globals.get(0).getFragmentsList()) {
                GlobalFragmentStore.StoredFragment stored = store.fragment(f.getId());
                assertTrue(stored == null || !stored.globals().contains(1L), "global fragment 1 was evicted: " + stored);
            }
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                assertSameCrops(snapshot, fragments(globals.subList(40 - kept.size(), 40)));
            }
            try (GlobalFragmentStore.Snapshot snapshot = early) {
                assertSameCrops(snapshot, fragments(globals.subList(0, 4)));
            }
        }
    }

    @Test
    void reopenRebuildsTheIndexFromItsJournal() throws Exception {
        List<GlobalFragment> globals = session(30, 8);
        long maxBytes = 20L * 8 * CROP * CROP;
        Path dir = temp.resolve("s");
        try (GlobalFragmentStore store = GlobalFragmentStore.create(dir, CROP, maxBytes)) {
            globals.subList(0, 20).forEach(store::add);
        }
        assertTrue(GlobalFragmentStore.exists(dir));
        try (GlobalFragmentStore store = GlobalFragmentStore.reopen(dir, maxBytes)) {
            assertEquals(CROP, store.cropSize());
            assertFalse(store.add(globals.get(19)), "already stored before the restart");
            globals.subList(20, 30).forEach(store::add);
            assertTrue(store.diskBytes() <= maxBytes);
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                List<GlobalFragmentStore.StoredGlobal> kept = snapshot.globals();
                assertSameCrops(snapshot, fragments(globals.subList(30 - kept.size(), 30)));
            }
        }
        List<GlobalFragmentStore.StoredGlobal> before;
        long images;
        try (GlobalFragmentStore store = GlobalFragmentStore.reopen(dir, maxBytes)) {
            before = store.globals();
            images = store.images();
            try (GlobalFragmentStore.Snapshot snapshot = store.snapshot()) {
                assertSameCrops(snapshot, fragments(globals.subList(30 - before.size(), 30)));
            }
        }
        try (GlobalFragmentStore store = GlobalFragmentStore.reopen(dir, maxBytes)) {
            assertEquals(before.stream().map(GlobalFragmentStore.StoredGlobal::id).toList(),
                    store.globals().stream().map(GlobalFragmentStore.StoredGlobal::id).toList());
            assertEquals(images, store.images());
        }
        try (Stream<Path> files = Files.list(dir)) {
            long segmentBytes = files.filter(p -> p.getFileName().toString().startsWith("crops-"))
                    .mapToLong(p -> p.toFile().length()).sum();
            assertTrue(segmentBytes <= maxBytes, "files on disk " + segmentBytes);
        }
    }

    @Test
    void rejectsACropOfTheWrongSize() {
        GlobalFragment bad = GlobalFragment.newBuilder().setId(3).addFragments(IndividualFragment.newBuilder().setId(9)
                .setCropSize(CROP).addCrops(ByteString.copyFrom(new byte[CROP * CROP - 1]))).build();
        try (GlobalFragmentStore store = GlobalFragmentStore.create(temp.resolve("s"), CROP, 1 << 20)) {
            BadInputException e = assertThrows(BadInputException.class, () -> store.add(bad));
            assertTrue(e.getMessage().contains("global fragment 3") && e.getMessage().contains("fragment 9")
                    && e.getMessage().contains("143 bytes"), e.getMessage());
        }
    }

    @Test
    void refusesToCreateOverAnExistingStore() {
        Path dir = temp.resolve("s");
        GlobalFragmentStore.create(dir, CROP, 1 << 20).close();
        BadInputException e = assertThrows(BadInputException.class, () -> GlobalFragmentStore.create(dir, CROP, 1 << 20));
        assertTrue(e.getMessage().contains("already holds a store"), e.getMessage());
    }

    private static List<GlobalFragment> session(int count, int crops) {
        return new SyntheticGlobalFragments(new SpottedCrops(CROP, ANIMALS, 1), ANIMALS, crops, crops, 2).next("s", count);
    }

    private static Map<Long, IndividualFragment> fragments(List<GlobalFragment> globals) {
        Map<Long, IndividualFragment> out = new HashMap<>();
        for (GlobalFragment g : globals) {
            g.getFragmentsList().forEach(f -> out.put(f.getId(), f));
        }
        return out;
    }

    private static void assertSameCrops(GlobalFragmentStore.Snapshot snapshot, Map<Long, IndividualFragment> sent) {
        byte[] crop = new byte[CROP * CROP];
        for (IndividualFragment f : sent.values()) {
            GlobalFragmentStore.StoredFragment stored = snapshot.fragment(f.getId());
            assertEquals(f.getCropsCount(), stored.crops(), "fragment " + f.getId());
            for (int k = 0; k < f.getCropsCount(); k++) {
                snapshot.readCrop(stored, k, crop, 0);
                assertArrayEquals(f.getCrops(k).toByteArray(), crop, "fragment " + f.getId() + " crop " + k);
            }
        }
    }
}
