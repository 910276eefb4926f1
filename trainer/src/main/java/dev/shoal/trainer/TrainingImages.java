package dev.shoal.trainer;

/**
 * Identification crops to train on, with what is known about them: an identity label for some, and
 * for images that come from global fragments, their individual fragment and which fragments coexist.
 * Two images of one fragment are the same animal; images of two coexisting fragments are different
 * animals; anything else is unknown.
 */
public interface TrainingImages {

    int size();

    int cropSize();

    int classes();

    /** The image's identity in [0, classes), or -1 when unknown. */
    int label(int image);

    /** The image's fragment (an index in [0, fragments)), or -1 when it comes from none. */
    int fragment(int image);

    /** Number of fragments the images come from. */
    int fragments();

    /** Number of global fragments: sets of coexisting fragments. */
    int globalFragments();

    /** The fragments of one global fragment. */
    int[] fragmentsOf(int globalFragment);

    /** The images of one fragment. */
    int[] imagesOf(int fragment);

    /** Whether two different fragments coexist in some global fragment, so they are different animals. */
    boolean coexist(int fragmentA, int fragmentB);

    /** Writes the image as network input (see {@link IdentityNetwork#scalePixels}). */
    void scaleInto(int image, float[] target, int targetOffset);
}
