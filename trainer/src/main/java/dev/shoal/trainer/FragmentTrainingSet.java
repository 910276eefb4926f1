package dev.shoal.trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Training images read from a {@link GlobalFragmentStore.Snapshot}: the crops of the chosen fragments,
 * labelled with their fragment's identity when it has one, with the global fragments that say which
 * fragments coexist. Pixels stay on disk; a batch reads its crops as it is filled. Not thread-safe.
 */
final class FragmentTrainingSet implements TrainingImages {

    private final GlobalFragmentStore.Snapshot snapshot;
    private final int classes;
    private final GlobalFragmentStore.StoredFragment[] fragments;
    private final int[] fragmentLabels;
    private final int[][] fragmentImages;
    private final int[][] globalsOfFragment;
    private final int[][] globalFragments;
    private final int[] imageFragment;
    private final int[] imageCrop;
    private final byte[] crop;

    /**
     * @param labels     identity per fragment id, for the fragments known
     * @param unlabelled whether to include the fragments with no identity (for pairs) or only the labelled ones
     */
    FragmentTrainingSet(GlobalFragmentStore.Snapshot snapshot, int classes, Map<Long, Integer> labels, boolean unlabelled) {
        this.snapshot = snapshot;
        this.classes = classes;
        this.crop = new byte[snapshot.cropSize() * snapshot.cropSize()];
        Map<Long, Integer> index = new HashMap<>();
        List<GlobalFragmentStore.StoredFragment> chosen = new ArrayList<>();
        List<int[]> globals = new ArrayList<>();
        for (GlobalFragmentStore.StoredGlobal global : snapshot.globals()) {
            int[] members = new int[global.fragmentIds().length];
            int n = 0;
            for (long id : global.fragmentIds()) {
                if (!unlabelled && !labels.containsKey(id)) {
                    continue;
                }
                Integer f = index.get(id);
                if (f == null) {
                    f = chosen.size();
                    index.put(id, f);
                    chosen.add(snapshot.fragment(id));
                }
                members[n++] = f;
            }
            if (n >= 2) {
                globals.add(Arrays.copyOf(members, n));
            }
        }
        this.fragments = chosen.toArray(GlobalFragmentStore.StoredFragment[]::new);
        this.globalFragments = globals.toArray(int[][]::new);
        this.fragmentLabels = new int[fragments.length];
        this.fragmentImages = new int[fragments.length][];
        int images = 0;
        for (int f = 0; f < fragments.length; f++) {
            fragmentLabels[f] = labels.getOrDefault(fragments[f].id(), -1);
            images += fragments[f].crops();
        }
        this.imageFragment = new int[images];
        this.imageCrop = new int[images];
        int next = 0;
        for (int f = 0; f < fragments.length; f++) {
            fragmentImages[f] = new int[fragments[f].crops()];
            for (int k = 0; k < fragments[f].crops(); k++) {
                fragmentImages[f][k] = next;
                imageFragment[next] = f;
                imageCrop[next] = k;
                next++;
            }
        }
        int[] counts = new int[fragments.length];
        for (int[] global : globalFragments) {
            for (int f : global) {
                counts[f]++;
            }
        }
        this.globalsOfFragment = new int[fragments.length][];
        for (int f = 0; f < fragments.length; f++) {
            globalsOfFragment[f] = new int[counts[f]];
            counts[f] = 0;
        }
        for (int g = 0; g < globalFragments.length; g++) {
            for (int f : globalFragments[g]) {
                globalsOfFragment[f][counts[f]++] = g;
            }
        }
    }

    @Override
    public int size() {
        return imageFragment.length;
    }

    @Override
    public int cropSize() {
        return snapshot.cropSize();
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public int label(int image) {
        return fragmentLabels[imageFragment[image]];
    }

    @Override
    public int fragment(int image) {
        return imageFragment[image];
    }

    @Override
    public int fragments() {
        return fragments.length;
    }

    @Override
    public int globalFragments() {
        return globalFragments.length;
    }

    @Override
    public int[] fragmentsOf(int globalFragment) {
        return globalFragments[globalFragment];
    }

    @Override
    public int[] imagesOf(int fragment) {
        return fragmentImages[fragment];
    }

    @Override
    public boolean coexist(int fragmentA, int fragmentB) {
        // Both lists are ascending: a merge finds a shared global fragment.
        int[] a = globalsOfFragment[fragmentA];
        int[] b = globalsOfFragment[fragmentB];
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                return fragmentA != fragmentB;
            }
            if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return false;
    }

    @Override
    public void scaleInto(int image, float[] target, int targetOffset) {
        snapshot.readCrop(fragments[imageFragment[image]], imageCrop[image], crop, 0);
        IdentityNetwork.scalePixels(crop, 0, target, targetOffset, crop.length);
    }
}
