package dev.shoal.trainer;

import dev.shoal.core.BadInputException;
import java.util.Arrays;

/**
 * Identification crops with their identity labels, held as one contiguous GRAY8 array so batches
 * are filled without per-image objects. They come from no fragment, so only the labels relate them.
 */
public final class LabelledCrops implements TrainingImages {

    private final int cropSize;
    private final int classes;
    private final int pixels;
    private byte[] crops;
    private int[] labels;
    private int size;

    public LabelledCrops(int cropSize, int classes) {
        if (classes < 1) {
            throw new BadInputException("labelled crops: classes is " + classes
                    + "; give the number of animals (at least 1)");
        }
        if (cropSize < 1) {
            throw new BadInputException("labelled crops: cropSize is " + cropSize + "; give a positive crop side");
        }
        this.cropSize = cropSize;
        this.classes = classes;
        this.pixels = cropSize * cropSize;
        this.crops = new byte[pixels * 16];
        this.labels = new int[16];
    }

    /**
     * Adds one crop (GRAY8, row-major, cropSize x cropSize) with its label in [0, classes).
     */
    public void add(byte[] crop, int label) {
        if (crop == null || crop.length != pixels) {
            throw new BadInputException("labelled crops: crop " + size + " has "
                    + (crop == null ? "no pixels" : crop.length + " pixels") + "; expected " + pixels
                    + " (" + cropSize + "x" + cropSize + " GRAY8)");
        }
        if (label < 0 || label >= classes) {
            throw new BadInputException("labelled crops: label of crop " + size + " is " + label
                    + "; expected 0.." + (classes - 1));
        }
        if (size == labels.length) {
            labels = Arrays.copyOf(labels, size * 2);
            crops = Arrays.copyOf(crops, pixels * size * 2);
        }
        System.arraycopy(crop, 0, crops, size * pixels, pixels);
        labels[size] = label;
        size++;
    }

    @Override
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
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
    public int label(int index) {
        return labels[checked(index)];
    }

    @Override
    public int fragment(int image) {
        return -1;
    }

    @Override
    public int fragments() {
        return 0;
    }

    @Override
    public int globalFragments() {
        return 0;
    }

    @Override
    public int[] fragmentsOf(int globalFragment) {
        throw new IndexOutOfBoundsException("labelled crops hold no global fragment");
    }

    @Override
    public int[] imagesOf(int fragment) {
        throw new IndexOutOfBoundsException("labelled crops hold no fragment");
    }

    @Override
    public boolean coexist(int fragmentA, int fragmentB) {
        return false;
    }

    /** Writes crop {@code index} as network input (see {@link IdentityNetwork#scalePixels}). */
    @Override
    public void scaleInto(int index, float[] target, int targetOffset) {
        IdentityNetwork.scalePixels(crops, checked(index) * pixels, target, targetOffset, pixels);
    }

    /** A copy of crop {@code index}'s GRAY8 pixels. */
    public byte[] crop(int index) {
        int from = checked(index) * pixels;
        return Arrays.copyOfRange(crops, from, from + pixels);
    }

    private int checked(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("crop " + index + " of " + size);
        }
        return index;
    }
}
