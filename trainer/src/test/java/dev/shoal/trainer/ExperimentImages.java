package dev.shoal.trainer;

import java.util.ArrayList;
import java.util.List;

/**
 * Training images of the experiment, in memory: labelled crops, and unlabelled crops grouped into
 * fragments (one animal's crops within a window of frames) and global fragments (all animals'
 * fragments of one window, which coexist and so are different animals).
 */
final class ExperimentImages implements TrainingImages {

    private final int cropSize;
    private final int classes;
    private final List<byte[]> crops = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final List<Integer> imageFragments = new ArrayList<>();
    private final List<int[]> fragmentImages = new ArrayList<>();
    private final List<Integer> globalOfFragment = new ArrayList<>();
    private final List<int[]> globals = new ArrayList<>();

    ExperimentImages(int cropSize, int classes) {
        this.cropSize = cropSize;
        this.classes = classes;
    }

    void addLabelled(byte[] crop, int label) {
        crops.add(crop);
        labels.add(label);
        imageFragments.add(-1);
    }

    /** Adds a global fragment: one list of crops per fragment; returns how many crops were added. */
    int addGlobal(List<List<byte[]>> fragments) {
        int[] members = new int[fragments.size()];
        int added = 0;
        for (int k = 0; k < fragments.size(); k++) {
            int fragment = fragmentImages.size();
            List<byte[]> own = fragments.get(k);
            int[] images = new int[own.size()];
            for (int i = 0; i < own.size(); i++) {
                images[i] = crops.size();
                crops.add(own.get(i));
                labels.add(-1);
                imageFragments.add(fragment);
            }
            added += own.size();
            fragmentImages.add(images);
            globalOfFragment.add(globals.size());
            members[k] = fragment;
        }
        globals.add(members);
        return added;
    }

    @Override
    public int size() {
        return crops.size();
    }

    @Override
    public int cropSize() {
        return cropSize;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public int label(int image) {
        return labels.get(image);
    }

    @Override
    public int fragment(int image) {
        return imageFragments.get(image);
    }

    @Override
    public int fragments() {
        return fragmentImages.size();
    }

    @Override
    public int globalFragments() {
        return globals.size();
    }

    @Override
    public int[] fragmentsOf(int globalFragment) {
        return globals.get(globalFragment);
    }

    @Override
    public int[] imagesOf(int fragment) {
        return fragmentImages.get(fragment);
    }

    @Override
    public boolean coexist(int fragmentA, int fragmentB) {
        return fragmentA != fragmentB && globalOfFragment.get(fragmentA).equals(globalOfFragment.get(fragmentB));
    }

    @Override
    public void scaleInto(int image, float[] target, int targetOffset) {
        IdentityNetwork.scalePixels(crops.get(image), 0, target, targetOffset, cropSize * cropSize);
    }
}
