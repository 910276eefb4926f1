package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FragmentLinkerTest {

    private static final int W = 320;
    private static final int H = 160;
    private static final int ONE_ANIMAL = 400;

    private final BlobDetector detector = new BlobDetector(W, H, new SyntheticFrame(W, H, 200).pixels(0, 0),
            new SegmentationSettings(Polarity.DARK_ON_LIGHT, 40, 20, ONE_ANIMAL, 0));
    private final FragmentLinker linker = new FragmentLinker(ONE_ANIMAL, 0);

    private FragmentLinker.Links frame(double... xs) {
        return linker.link(detector.segment(ellipses(xs)));
    }

    @Test
    void keepsFragmentIdsWhileBlobsStayApartAndMoveAFewPixels() {
        long[] first = frame(60, 150, 260).fragments();
        assertEquals(3, new HashSet<>(List.of(first[0], first[1], first[2])).size());
        for (int t = 1; t < 20; t++) {
            FragmentLinker.Links links = frame(60 - t, 150 + t, 260 + t);
            assertArrayEquals(first, links.fragments(), "frame " + t);
            for (boolean crossing : links.crossing()) {
                assertFalse(crossing);
            }
        }
    }

    @Test
    void mergingBlobsBecomeOneCrossingWithANewFragmentAndSplitIntoNewFragments() {
        long[] apart = frame(120, 180).fragments();
        FragmentLinker.Links approaching = frame(125, 175);
        assertArrayEquals(apart, approaching.fragments());

        FragmentLinker.Links merged = frame(140, 160);
        assertEquals(1, merged.fragments().length);
        assertTrue(merged.crossing()[0], "two animals in one blob");
        assertFalse(Set.of(apart[0], apart[1]).contains(merged.fragments()[0]));

        FragmentLinker.Links stillMerged = frame(141, 159);
        assertEquals(merged.fragments()[0], stillMerged.fragments()[0], "the crossing continues");
        assertTrue(stillMerged.crossing()[0]);

        FragmentLinker.Links separated = frame(118, 182);
        assertEquals(2, separated.fragments().length);
        Set<Long> seen = Set.of(apart[0], apart[1], merged.fragments()[0]);
        for (int i = 0; i < 2; i++) {
            assertFalse(seen.contains(separated.fragments()[i]), "new fragment after the crossing");
            assertFalse(separated.crossing()[i]);
        }
        assertNotEquals(separated.fragments()[0], separated.fragments()[1]);
    }

    @Test
    void aCrossingThatShrinksToOneAnimalStaysACrossingWhileTheAnimalsAreNotAllAccountedFor() {
        frame(120, 180);
        long crossing = frame(140, 160).fragments()[0];
        FragmentLinker.Links oneLeft = frame(150);
        assertEquals(crossing, oneLeft.fragments()[0]);
        assertTrue(oneLeft.crossing()[0], "the other animal may still be hidden in it");
    }

    @Test
    void aSingleAnimalThatGrowsPastTheAreaRangeWhileApartStaysOneAnimal() {
        long single = frame(150).fragments()[0];
        SyntheticFrame larger = new SyntheticFrame(W, H, 200);
        larger.ellipse(151, 80, 20, 8, 0, 50);
        Segmentation segmented = detector.segment(larger.pixels(0, 0));
        assertTrue(segmented.blobs().get(0).area() > ONE_ANIMAL,
                "the blob must be larger than one animal for this test to mean anything");
        FragmentLinker.Links grown = linker.link(segmented);
        assertEquals(single, grown.fragments()[0]);
        assertFalse(grown.crossing()[0], "it overlapped one blob that overlapped only it: no animal joined");
    }

    @Test
    void withAsManySingleSizedBlobsAsAnimalsNoBlobIsACrossing() {
        FragmentLinker twoAnimals = new FragmentLinker(ONE_ANIMAL, 2);
        twoAnimals.link(detector.segment(ellipses(120, 180)));
        FragmentLinker.Links merged = twoAnimals.link(detector.segment(ellipses(140, 160)));
        assertTrue(merged.crossing()[0]);
        // One animal faded out of the crossing blob and shows up elsewhere: both are single animals now.
        FragmentLinker.Links after = twoAnimals.link(detector.segment(ellipses(150, 280)));
        assertEquals(2, after.fragments().length);
        for (int i = 0; i < 2; i++) {
            assertFalse(after.crossing()[i]);
            assertNotEquals(merged.fragments()[0], after.fragments()[i], "a new fragment after the crossing");
        }
        FragmentLinker.Links next = twoAnimals.link(detector.segment(ellipses(151, 279)));
        assertArrayEquals(after.fragments(), next.fragments(), "the new fragments continue");
    }

    private static byte[] ellipses(double... xs) {
        SyntheticFrame f = new SyntheticFrame(W, H, 200);
        for (double x : xs) {
            f.ellipse(x, 80, 16, 6, 0, 50);
        }
        return f.pixels(0, 0);
    }

    @Test
    void aBlobThatJumpsAwayStartsANewFragment() {
        long[] first = frame(60).fragments();
        long[] jumped = frame(250).fragments();
        assertNotEquals(first[0], jumped[0]);
    }
}
