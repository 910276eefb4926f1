package dev.shoal.trainer;

import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.GlobalFragment;
import dev.shoal.core.proto.IndividualFragment;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's crops of the individual fragments that arrived in global fragments, on disk.
 *
 * <p>Crops are appended as raw GRAY8 to segment files ({@code crops-N.bin}); each fragment's crops are
 * written once, the first time a global fragment brings it (the segmenter sends a closed fragment's
 * crops unchanged in every global fragment that holds it). The heap keeps only the index: per fragment
 * its frame span, where its crops lie and which global fragments hold it. A journal ({@code journal.bin})
 * records every addition and eviction so that {@link #reopen} rebuilds the index after a restart.
 *
 * <p>Bounded: when the segment files would exceed {@code maxBytes}, the oldest global fragments are
 * evicted; a fragment's crops are released once no stored global fragment holds it, and a segment file
 * is deleted once it holds no live crops. Not thread-safe; {@link #snapshot} gives a read-only view
 * that stays valid after later additions and evictions.
 */
public final class GlobalFragmentStore implements AutoCloseable {

    private static final String JOURNAL = "journal.bin";
    private static final int MAGIC = 0x53484746;
    private static final int FORMAT = 1;
    private static final byte ADD = 1;
    private static final byte EVICT = 2;

    /** A stored global fragment: its span and its fragments' ids. */
    public record StoredGlobal(long id, long firstFrame, long lastFrame, long[] fragmentIds) {
    }

    /** A stored individual fragment: its span, its crops' place, and the ids of the stored global fragments holding it. */
    public record StoredFragment(long id, long firstFrame, long lastFrame, int crops, int segment, long offset,
                                 List<Long> globals) {
    }

    private final Path directory;
    private final int cropSize;
    private final int cropBytes;
    private final long maxBytes;
    private final long segmentBytes;
    private final LinkedHashMap<Long, StoredGlobal> globals = new LinkedHashMap<>();
    private final Map<Long, FragmentEntry> fragments = new HashMap<>();
    private final Map<Integer, Integer> liveFragmentsPerSegment = new HashMap<>();
    private final Map<Integer, Long> segmentSizes = new HashMap<>();
    private final DataOutputStream journal;
    private int segment;
    private FileChannel segmentChannel;
    private long images;
    private long evicted;

    private GlobalFragmentStore(Path directory, int cropSize, long maxBytes, boolean replay) throws IOException {
        this.directory = directory;
        this.cropSize = cropSize;
        this.cropBytes = cropSize * cropSize;
        this.maxBytes = maxBytes;
        // Eighths of the bound: evicting frees disk space one segment file at a time.
        this.segmentBytes = Math.max(cropBytes, maxBytes / 8);
        if (replay) {
            replayJournal();
        }
        boolean fresh = !Files.exists(directory.resolve(JOURNAL));
        journal = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(directory.resolve(JOURNAL),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)));
        if (fresh) {
            journal.writeInt(MAGIC);
            journal.writeInt(FORMAT);
            journal.writeInt(cropSize);
            journal.flush();
        }
        openSegment(segment);
    }

    /**
     * A new, empty store in {@code directory} (created if missing; it must not hold a store already).
     *
     * @param cropSize side of the square GRAY8 crops
     * @param maxBytes bound on the crop files' total size
     */
    public static GlobalFragmentStore create(Path directory, int cropSize, long maxBytes) {
        if (cropSize < 1) {
            throw new BadInputException("global fragment store: cropSize is " + cropSize + "; give a positive crop side");
        }
        if (maxBytes < (long) cropSize * cropSize) {
            throw new BadInputException("global fragment store: maxBytes is " + maxBytes
                    + "; give room for at least one crop (" + cropSize * cropSize + " bytes)");
        }
        try {
            Files.createDirectories(directory);
            if (Files.exists(directory.resolve(JOURNAL))) {
                throw new BadInputException("global fragment store: " + directory
                        + " already holds a store; reopen it or give an empty directory");
            }
            return new GlobalFragmentStore(directory, cropSize, maxBytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the global fragment store in " + directory, e);
        }
    }

    /** The store left in {@code directory} by an earlier run, its index rebuilt from the journal. */
    public static GlobalFragmentStore reopen(Path directory, long maxBytes) {
        Path journal = directory.resolve(JOURNAL);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(journal)))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new BadInputException(journal + ": not a shoal global fragment store journal (format " + FORMAT
                        + "); give the directory of a store made by this version, or delete it");
            }
            int cropSize = in.readInt();
            return new GlobalFragmentStore(directory, cropSize, maxBytes, true);
        } catch (EOFException e) {
            throw new BadInputException(journal + ": the journal ends inside its header; delete the directory to start over");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen the global fragment store in " + directory, e);
        }
    }

    /** Whether {@code directory} holds a store to {@link #reopen}. */
    public static boolean exists(Path directory) {
        return Files.isRegularFile(directory.resolve(JOURNAL));
    }

    public int cropSize() {
        return cropSize;
    }

    /**
     * Stores a global fragment: writes the crops of its fragments not stored yet, evicting the oldest
     * global fragments first when the bound requires it.
     *
     * @return false when it was already stored (a redelivered record) or its new crops alone exceed the bound
     */
    public boolean add(GlobalFragment global) {
        if (globals.containsKey(global.getId())) {
            return false;
        }
        long incoming = 0;
        for (IndividualFragment f : global.getFragmentsList()) {
            check(global, f);
            if (!fragments.containsKey(f.getId())) {
                incoming += (long) f.getCropsCount() * cropBytes;
            }
        }
        if (incoming > maxBytes) {
            return false;
        }
        try {
            while (diskBytes() + incoming > maxBytes && !globals.isEmpty()) {
                long oldest = globals.keySet().iterator().next();
                journal.writeByte(EVICT);
                journal.writeLong(oldest);
                evict(oldest);
            }
            List<FragmentEntry> members = new ArrayList<>(global.getFragmentsCount());
            for (IndividualFragment f : global.getFragmentsList()) {
                FragmentEntry entry = fragments.get(f.getId());
                members.add(entry != null ? entry : write(f));
            }
            journal.writeByte(ADD);
            journal.writeLong(global.getId());
            journal.writeLong(global.getFirstFrame());
            journal.writeLong(global.getLastFrame());
            journal.writeInt(members.size());
            for (FragmentEntry f : members) {
                journal.writeLong(f.id);
                journal.writeLong(f.firstFrame);
                journal.writeLong(f.lastFrame);
                journal.writeInt(f.crops);
                journal.writeInt(f.segment);
                journal.writeLong(f.offset);
            }
            journal.flush();
            register(global.getId(), global.getFirstFrame(), global.getLastFrame(), members);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the global fragment store in " + directory, e);
        }
    }

    /** Stored global fragments, oldest first. */
    public List<StoredGlobal> globals() {
        return List.copyOf(globals.values());
    }

    /** The stored fragment, or null when it is not (or no longer) stored. */
    public StoredFragment fragment(long id) {
        FragmentEntry f = fragments.get(id);
        return f == null ? null : f.view();
    }

    /** Crops of all stored fragments. */
    public long images() {
        return images;
    }

    /** Size of the crop files on disk. */
    public long diskBytes() {
        long total = 0;
        for (long size : segmentSizes.values()) {
            total += size;
        }
        return total;
    }

    /** Global fragments evicted so far to stay within the bound. */
    public long evictedGlobals() {
        return evicted;
    }

    /** A read-only view of the stored global fragments and fragments as they are now. */
    public Snapshot snapshot() {
        Map<Integer, FileChannel> channels = new HashMap<>();
        try {
            for (int s : segmentSizes.keySet()) {
                channels.put(s, FileChannel.open(segmentPath(s), StandardOpenOption.READ));
            }
        } catch (IOException e) {
            channels.values().forEach(GlobalFragmentStore::closeQuietly);
            throw new UncheckedIOException("cannot read the global fragment store in " + directory, e);
        }
        Map<Long, StoredFragment> views = new HashMap<>();
        fragments.forEach((id, f) -> views.put(id, f.view()));
        return new Snapshot(cropSize, globals(), views, channels);
    }

    @Override
    public void close() {
        try {
            journal.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the global fragment store's journal in " + directory, e);
        } finally {
            closeQuietly(segmentChannel);
        }
    }

    private void check(GlobalFragment global, IndividualFragment f) {
        if (f.getCropsCount() == 0) {
            throw new BadInputException("global fragment " + global.getId() + ": fragment " + f.getId()
                    + " has no crops; the segmenter must send each fragment's crops (crop size > 0)");
        }
        for (int k = 0; k < f.getCropsCount(); k++) {
            if (f.getCrops(k).size() != cropBytes) {
                throw new BadInputException("global fragment " + global.getId() + ": crop " + k + " of fragment "
                        + f.getId() + " has " + f.getCrops(k).size() + " bytes; this store holds " + cropSize + "x"
                        + cropSize + " GRAY8 crops (" + cropBytes + " bytes)");
            }
        }
    }

    private FragmentEntry write(IndividualFragment f) throws IOException {
        long bytes = (long) f.getCropsCount() * cropBytes;
        long size = segmentSizes.get(segment);
        if (size > 0 && size + bytes > segmentBytes) {
            segmentChannel.close();
            openSegment(segment + 1);
            size = 0;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) bytes);
        for (int k = 0; k < f.getCropsCount(); k++) {
            f.getCrops(k).copyTo(buffer);
        }
        buffer.flip();
        long offset = size;
        while (buffer.hasRemaining()) {
            segmentChannel.write(buffer, offset + buffer.position());
        }
        segmentSizes.put(segment, size + bytes);
        return new FragmentEntry(f.getId(), f.getFirstFrame(), f.getLastFrame(), f.getCropsCount(), segment, offset);
    }

    private void register(long id, long first, long last, List<FragmentEntry> members) {
        long[] ids = new long[members.size()];
        for (int i = 0; i < ids.length; i++) {
            FragmentEntry f = members.get(i);
            ids[i] = f.id;
            if (fragments.putIfAbsent(f.id, f) == null) {
                liveFragmentsPerSegment.merge(f.segment, 1, Integer::sum);
                images += f.crops;
            }
            fragments.get(f.id).globals.add(id);
        }
        globals.put(id, new StoredGlobal(id, first, last, ids));
    }

    private void evict(long id) throws IOException {
        StoredGlobal global = globals.remove(id);
        if (global == null) {
            return;
        }
        evicted++;
        for (long fragmentId : global.fragmentIds()) {
            FragmentEntry f = fragments.get(fragmentId);
            f.globals.remove(id);
            if (f.globals.isEmpty()) {
                fragments.remove(fragmentId);
                images -= f.crops;
                if (liveFragmentsPerSegment.merge(f.segment, -1, Integer::sum) == 0) {
                    liveFragmentsPerSegment.remove(f.segment);
                    deleteSegment(f.segment);
                }
            }
        }
    }

    private void deleteSegment(int s) throws IOException {
        if (s == segment && segmentChannel != null) {
            segmentChannel.close();
            Files.deleteIfExists(segmentPath(s));
            segmentSizes.remove(s);
            openSegment(s + 1);
        } else {
            Files.deleteIfExists(segmentPath(s));
            segmentSizes.remove(s);
        }
    }

    private void openSegment(int s) throws IOException {
        segment = s;
        segmentChannel = FileChannel.open(segmentPath(s), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        segmentSizes.put(s, segmentChannel.size());
    }

    private Path segmentPath(int s) {
        return directory.resolve("crops-" + s + ".bin");
    }

    private void replayJournal() throws IOException {
        int lastSegment = 0;
        try (InputStream file = Files.newInputStream(directory.resolve(JOURNAL));
             DataInputStream in = new DataInputStream(new BufferedInputStream(file))) {
            in.skipNBytes(12);
            while (true) {
                int kind = in.read();
                if (kind < 0) {
                    break;
                }
                try {
                    if (kind == EVICT) {
                        evict(in.readLong());
                    } else if (kind == ADD) {
                        long id = in.readLong();
                        long first = in.readLong();
                        long last = in.readLong();
                        int n = in.readInt();
                        List<FragmentEntry> members = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            FragmentEntry f = new FragmentEntry(in.readLong(), in.readLong(), in.readLong(), in.readInt(),
                                    in.readInt(), in.readLong());
                            members.add(fragments.getOrDefault(f.id, f));
                            lastSegment = Math.max(lastSegment, f.segment);
                        }
                        register(id, first, last, members);
                    } else {
                        throw new BadInputException(directory.resolve(JOURNAL) + ": unknown entry kind " + kind
                                + "; the journal is damaged, delete the directory to start over");
                    }
                } catch (EOFException e) {
                    // A run stopped while writing its last entry: that global fragment was never stored.
                    break;
                }
            }
        }
        try (var files = Files.list(directory)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith("crops-") && name.endsWith(".bin")) {
                    int s = Integer.parseInt(name.substring(6, name.length() - 4));
                    segmentSizes.put(s, Files.size(p));
                    lastSegment = Math.max(lastSegment, s);
                }
            }
        }
        // Writing resumes in a new segment: a number is never reused, so replaying an old eviction
        // can never delete a file written after it.
        segment = lastSegment + 1;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // Closing a read channel cannot lose data.
        }
    }

    /** Mutable index entry of one stored fragment. */
    private static final class FragmentEntry {
        final long id;
        final long firstFrame;
        final long lastFrame;
        final int crops;
        final int segment;
        final long offset;
        final Deque<Long> globals = new ArrayDeque<>();

        FragmentEntry(long id, long firstFrame, long lastFrame, int crops, int segment, long offset) {
            this.id = id;
            this.firstFrame = firstFrame;
            this.lastFrame = lastFrame;
            this.crops = crops;
            this.segment = segment;
            this.offset = offset;
        }

        StoredFragment view() {
            return new StoredFragment(id, firstFrame, lastFrame, crops, segment, offset,
                    Collections.unmodifiableList(new ArrayList<>(globals)));
        }
    }

    /**
     * The stored global fragments and fragments at one moment, with the crop files held open so they
     * stay readable even if the store evicts them later. Thread-safe for reading; close it when done.
     */
    public static final class Snapshot implements AutoCloseable {
        private final int cropSize;
        private final List<StoredGlobal> globals;
        private final Map<Long, StoredFragment> fragments;
        private final Map<Integer, FileChannel> channels;

        private Snapshot(int cropSize, List<StoredGlobal> globals, Map<Long, StoredFragment> fragments,
                         Map<Integer, FileChannel> channels) {
            this.cropSize = cropSize;
            this.globals = globals;
            this.fragments = fragments;
            this.channels = channels;
        }

        public int cropSize() {
            return cropSize;
        }

        /** Global fragments, oldest first. */
        public List<StoredGlobal> globals() {
            return globals;
        }

        public StoredFragment fragment(long id) {
            return fragments.get(id);
        }

        /** Crops of all fragments in the snapshot. */
        public long images() {
            long total = 0;
            for (StoredFragment f : fragments.values()) {
                total += f.crops();
            }
            return total;
        }

        /** Reads crop {@code k} of the fragment into {@code target} at {@code offset}. */
        public void readCrop(StoredFragment fragment, int k, byte[] target, int offset) {
            if (k < 0 || k >= fragment.crops()) {
                throw new IndexOutOfBoundsException("crop " + k + " of fragment " + fragment.id() + " with " + fragment.crops());
            }
            int bytes = cropSize * cropSize;
            ByteBuffer buffer = ByteBuffer.wrap(target, offset, bytes);
            long position = fragment.offset() + (long) k * bytes;
            try {
                FileChannel channel = channels.get(fragment.segment());
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, position + buffer.position() - offset) < 0) {
                        throw new EOFException("crop " + k + " of fragment " + fragment.id() + " lies past the end of its file");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read a stored crop", e);
            }
        }

        @Override
        public void close() {
            channels.values().forEach(GlobalFragmentStore::closeQuietly);
        }
    }
}
