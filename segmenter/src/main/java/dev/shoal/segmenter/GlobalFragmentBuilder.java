package dev.shoal.segmenter;

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
 * its fragments have ended, with each fragment's crops (evenly subsampled to a cap, so records stay
 * bounded however long a fragment lasts).
 */
public final class GlobalFragmentBuilder {

    /** One individual fragment: one animal for sure, with crops evenly spread over its frames. */
    public record Fragment(long id, long firstFrame, long lastFrame, List<byte[]> crops) {
    }

    /** N fragments that coexist from {@code firstFrame} to {@code lastFrame}. */
    public record Global(long id, long firstFrame, long lastFrame, List<Fragment> fragments) {
    }

    private final int animals;
    private final int maxCrops;
    private final Map<Long, FragmentState> open = new HashMap<>();
    private final Map<Long, Fragment> closed = new HashMap<>();
    private final Map<List<Long>, long[]> pending = new LinkedHashMap<>();
    private long nextGlobal = 1;

    /** @param maxCrops crops kept per fragment; longer fragments are subsampled evenly */
    public GlobalFragmentBuilder(int animals, int maxCrops) {
        if (animals < 1 || maxCrops < 1) {
            throw new IllegalArgumentException("animals and crops per fragment must be at least 1");
        }
        this.animals = animals;
        this.maxCrops = maxCrops;
    }

    /**
     * Takes one frame: each blob's fragment, crossing flag and crop (null when none). Returns the
     * global fragments completed by the fragments that ended before this frame.
     */
    public List<Global> frame(long index, long[] fragments, boolean[] crossing, byte[][] crops) {
        Map<Long, Integer> present = new HashMap<>();
        for (int i = 0; i < fragments.length; i++) {
            present.put(fragments[i], i);
        }
        for (Iterator<Map.Entry<Long, FragmentState>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, FragmentState> entry = it.next();
            if (!present.containsKey(entry.getKey())) {
                FragmentState ended = entry.getValue();
                if (ended.individual) {
                    closed.put(entry.getKey(), ended.toFragment(entry.getKey()));
                }
                it.remove();
            }
        }
        boolean allIndividual = fragments.length == animals;
        for (int i = 0; i < fragments.length; i++) {
            FragmentState state = open.computeIfAbsent(fragments[i], id -> new FragmentState(index));
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
        for (Map.Entry<Long, FragmentState> entry : open.entrySet()) {
            if (entry.getValue().individual) {
                closed.put(entry.getKey(), entry.getValue().toFragment(entry.getKey()));
            }
        }
        open.clear();
        return completed(true);
    }

    private List<Global> completed(boolean all) {
        List<Global> out = new ArrayList<>();
        for (Iterator<Map.Entry<List<Long>, long[]>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<List<Long>, long[]> entry = it.next();
            boolean ended = entry.getKey().stream().allMatch(closed::containsKey);
            if (ended || all) {
                List<Fragment> members = new ArrayList<>();
                for (Long id : entry.getKey()) {
                    Fragment f = closed.get(id);
                    if (f != null) {
                        members.add(f);
                    }
                }
                if (members.size() == animals) {
                    out.add(new Global(nextGlobal++, entry.getValue()[0], entry.getValue()[1], members));
                }
                it.remove();
            }
        }
        // Closed fragments no pending global fragment needs any more are let go.
        closed.keySet().removeIf(id -> pending.keySet().stream().noneMatch(set -> set.contains(id)));
        return out;
    }

    /** An open fragment: span, whether it stayed one animal, and its crops, every {@code step}-th kept. */
    private static final class FragmentState {
        private final long first;
        private long last;
        private boolean individual = true;
        private final List<byte[]> crops = new ArrayList<>();
        private long seen;
        private long step = 1;

        FragmentState(long first) {
            this.first = first;
            this.last = first;
        }

        void add(long index, boolean crossing, byte[] crop, int maxCrops) {
            last = index;
            individual &= !crossing;
            if (crop == null) {
                return;
            }
            if (seen++ % step == 0) {
                crops.add(crop);
                if (crops.size() > maxCrops) {
                    // Keep every other crop and take every other one from now on: still even.
                    List<byte[]> halved = new ArrayList<>();
                    for (int i = 0; i < crops.size(); i += 2) {
                        halved.add(crops.get(i));
                    }
                    crops.clear();
                    crops.addAll(halved);
                    step *= 2;
                }
            }
        }

        Fragment toFragment(long id) {
            return new Fragment(id, first, last, List.copyOf(crops));
        }
    }
}
