package dev.shoal.segmenter;

import dev.shoal.segmenter.proto.BuilderState;
import dev.shoal.segmenter.proto.FragmentState;
import dev.shoal.segmenter.proto.PendingGlobal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds global fragments online (DESIGN.md section 3.4): sets of N individual fragments that
 * coexist, seen in frames where exactly N blobs are present and none is a crossing. Such a set gives
 * labels for free: its fragments are N different animals. A global fragment is emitted once all of
 * its fragments have ended, or once it has spanned the maximum span (so that a live session gets
 * training material early; its fragments, still open, are then emitted again with the next global
 * fragment they belong to), with each fragment's crops evenly subsampled to a cap, so records stay
 * bounded however long a fragment lasts.
 */
public final class GlobalFragmentBuilder {

    /** One individual fragment: one animal for sure, with crops evenly spread over its frames. */
    public record Fragment(long id, long firstFrame, long lastFrame, List<byte[]> crops) {
    }

    /** N fragments that coexist from {@code firstFrame} to {@code lastFrame}. */
    public record Global(long id, long firstFrame, long lastFrame, List<Fragment> fragments) {
    }

    /** Receives each kept crop with its fragment and the order in which the fragment saw it. */
    @FunctionalInterface
    public interface CropVisitor {
        void crop(long fragment, long ordinal, byte[] pixels);
    }

    /** Looks up a kept crop when restoring; null when it is missing. */
    @FunctionalInterface
    public interface CropSource {
        byte[] crop(long fragment, long ordinal);
    }

    private final int animals;
    private final int maxCrops;
    private final long maxSpan;
    private final Map<Long, Building> open = new HashMap<>();
    private final Map<Long, Building> closed = new HashMap<>();
    private final Map<List<Long>, long[]> pending = new LinkedHashMap<>();
    private long nextGlobal = 1;

    /** @param maxCrops crops kept per fragment; longer fragments are subsampled evenly */
    public GlobalFragmentBuilder(int animals, int maxCrops) {
        this(animals, maxCrops, 0);
    }

    /**
     * @param maxCrops crops kept per fragment; longer fragments are subsampled evenly
     * @param maxSpan  frames after which a global fragment is emitted even though its fragments go
     *                 on; 0 for no limit
     */
    public GlobalFragmentBuilder(int animals, int maxCrops, long maxSpan) {
        if (animals < 1 || maxCrops < 1) {
            throw new IllegalArgumentException("animals and crops per fragment must be at least 1");
        }
        if (maxSpan < 0) {
            throw new IllegalArgumentException("maximum span " + maxSpan + " must be 0 (none) or more frames");
        }
        this.animals = animals;
        this.maxCrops = maxCrops;
        this.maxSpan = maxSpan;
    }

    /**
     * Takes one frame: each blob's fragment, crossing flag and crop (null when none). Returns the
     * global fragments completed by the fragments that ended before this frame, or by reaching the
     * maximum span with this frame.
     */
    public List<Global> frame(long index, long[] fragments, boolean[] crossing, byte[][] crops) {
        Map<Long, Integer> present = new HashMap<>();
        for (int i = 0; i < fragments.length; i++) {
            present.put(fragments[i], i);
        }
        for (Iterator<Map.Entry<Long, Building>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Building> entry = it.next();
            if (!present.containsKey(entry.getKey())) {
                if (entry.getValue().individual) {
                    closed.put(entry.getKey(), entry.getValue());
                }
                it.remove();
            }
        }
        boolean allIndividual = fragments.length == animals;
        for (int i = 0; i < fragments.length; i++) {
            Building state = open.computeIfAbsent(fragments[i], id -> new Building(id, index));
            state.add(index, crossing[i], crops[i], maxCrops);
            allIndividual &= !crossing[i];
        }
        if (allIndividual) {
            Long[] ids = Arrays.stream(fragments).boxed().sorted().toArray(Long[]::new);
            // The same fragments coexist over one unbroken span, since fragments are contiguous.
            pending.computeIfAbsent(List.of(ids), set -> new long[] {index, index})[1] = index;
        }
        return completed(false);
    }

    /** Ends the stream: every fragment closes and every pending global fragment is returned. */
    public List<Global> finish() {
        for (Map.Entry<Long, Building> entry : open.entrySet()) {
            if (entry.getValue().individual) {
                closed.put(entry.getKey(), entry.getValue());
            }
        }
        open.clear();
        return completed(true);
    }

    private List<Global> completed(boolean all) {
        List<Global> out = new ArrayList<>();
        for (Iterator<Map.Entry<List<Long>, long[]>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<List<Long>, long[]> entry = it.next();
            long[] span = entry.getValue();
            boolean ended = entry.getKey().stream().allMatch(closed::containsKey);
            boolean longEnough = maxSpan > 0 && span[1] - span[0] + 1 >= maxSpan;
            if (ended || all || longEnough) {
                List<Fragment> members = new ArrayList<>();
                for (Long id : entry.getKey()) {
                    Building f = closed.containsKey(id) ? closed.get(id) : open.get(id);
                    if (f != null && f.individual) {
                        members.add(f.toFragment());
                    }
                }
                if (members.size() == animals) {
                    out.add(new Global(nextGlobal++, span[0], span[1], members));
                }
                it.remove();
            }
        }
        // Closed fragments no pending global fragment needs any more are let go.
        closed.keySet().removeIf(id -> pending.keySet().stream().noneMatch(set -> set.contains(id)));
        return out;
    }

    /** The builder's state without the crops' pixels, which {@link #forEachKeptCrop} gives. */
    public BuilderState state() {
        BuilderState.Builder state = BuilderState.newBuilder().setNextGlobal(nextGlobal);
        open.values().forEach(f -> state.addOpen(f.state()));
        closed.values().forEach(f -> state.addClosed(f.state()));
        pending.forEach((ids, span) -> state.addPending(PendingGlobal.newBuilder().addAllFragments(ids)
                .setFirst(span[0]).setLast(span[1])));
        return state.build();
    }

    /** Every crop the builder holds, open and closed fragments alike. */
    public void forEachKeptCrop(CropVisitor visitor) {
        for (Map<Long, Building> fragments : List.of(open, closed)) {
            for (Building f : fragments.values()) {
                for (int i = 0; i < f.crops.size(); i++) {
                    visitor.crop(f.id, f.ordinals.get(i), f.crops.get(i));
                }
            }
        }
    }

    /**
     * A builder that continues from {@code state} (taken by {@link #state()} with the same number of
     * animals and cap), its crops looked up in {@code crops}.
     */
    public static GlobalFragmentBuilder restore(BuilderState state, int animals, int maxCrops, long maxSpan,
                                                CropSource crops) {
        GlobalFragmentBuilder builder = new GlobalFragmentBuilder(animals, maxCrops, maxSpan);
        builder.nextGlobal = state.getNextGlobal();
        for (FragmentState f : state.getOpenList()) {
            builder.open.put(f.getId(), Building.restore(f, crops));
        }
        for (FragmentState f : state.getClosedList()) {
            builder.closed.put(f.getId(), Building.restore(f, crops));
        }
        for (PendingGlobal p : state.getPendingList()) {
            builder.pending.put(List.copyOf(p.getFragmentsList()), new long[] {p.getFirst(), p.getLast()});
        }
        return builder;
    }

    /**
     * A fragment being built: span, whether it stayed one animal, and its crops, every
     * {@code step}-th kept, each with its ordinal (the count of crops seen before it).
     */
    private static final class Building {
        private final long id;
        private final long first;
        private long last;
        private boolean individual = true;
        private final List<byte[]> crops = new ArrayList<>();
        private final List<Long> ordinals = new ArrayList<>();
        private long seen;
        private long step = 1;

        Building(long id, long first) {
            this.id = id;
            this.first = first;
            this.last = first;
        }

        void add(long index, boolean crossing, byte[] crop, int maxCrops) {
            last = index;
            individual &= !crossing;
            if (crop == null) {
                return;
            }
            long ordinal = seen++;
            if (ordinal % step == 0) {
                crops.add(crop);
                ordinals.add(ordinal);
                if (crops.size() > maxCrops) {
                    // Keep every other crop and take every other one from now on: still even.
                    for (int i = crops.size() - 1; i >= 0; i--) {
                        if (i % 2 == 1) {
                            crops.remove(i);
                            ordinals.remove(i);
                        }
                    }
                    step *= 2;
                }
            }
        }

        Fragment toFragment() {
            return new Fragment(id, first, last, List.copyOf(crops));
        }

        FragmentState state() {
            return FragmentState.newBuilder().setId(id).setFirst(first).setLast(last).setIndividual(individual)
                    .setSeen(seen).setStep(step).addAllCropOrdinals(ordinals).build();
        }

        static Building restore(FragmentState state, CropSource source) {
            Building f = new Building(state.getId(), state.getFirst());
            f.last = state.getLast();
            f.individual = state.getIndividual();
            f.seen = state.getSeen();
            f.step = state.getStep();
            for (long ordinal : state.getCropOrdinalsList()) {
                byte[] crop = source.crop(state.getId(), ordinal);
                if (crop == null) {
                    throw new IllegalStateException("crop " + ordinal + " of fragment " + state.getId()
                            + " is missing from the checkpoint");
                }
                f.crops.add(crop);
                f.ordinals.add(ordinal);
            }
            return f;
        }
    }
}
