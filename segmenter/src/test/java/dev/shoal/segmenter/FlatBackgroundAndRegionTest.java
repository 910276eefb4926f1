package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import dev.shoal.core.RegionOfInterest;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An animal that never moves (a spider waiting on its web) vanishes into a modelled background but
 * not into a flat one; dark scenery outside the region of interest is never taken for an animal.
 */
class FlatBackgroundAndRegionTest {

    private static final int W = 240;
    private static final int H = 160;
    /** Forty frames at 25 fps sampled for the background; two animals; no crops. */
    private static final WarmUp WARM_UP = new WarmUp(1.6, 40, 0, 2, false);
    /** Keeps out the dark bar along the left edge. */
    private static final RegionOfInterest ARENA = new RegionOfInterest(20, 0, 220, 160);

    /** A resting animal at (180, 40), a walking one, and a dark bar along the left edge. */
    private static byte[] frame(long t) {
        return new SyntheticFrame(W, H, 200)
                .ellipse(180, 40, 14, 6, 20, 60)
                .ellipse(40 + 3 * t % 150, 110, 10, 4, 0, 60)
                .ellipse(5, 80, 3, 75, 0, 40)
                .pixels(2, (int) t);
    }

    private static List<DetectedBlob> blobsAfterWarmUp(SegmentationSettings settings) {
        try (SessionSegmenter session = new SessionSegmenter(W, H, 25, 1000, 0, settings, WARM_UP)) {
            long t = 0;
            while (!session.warmUpWith(t, frame(t), false)) {
                t++;
            }
            return session.segment(0, ByteBuffer.wrap(frame(0))).blobs();
        }
    }

    private static SegmentationSettings settings(BackgroundMode background, RegionOfInterest region) {
        return new SegmentationSettings(Polarity.DARK_ON_LIGHT, 40, 20, 2000, 0, background, region);
    }

    @Test
    void aRestingAnimalVanishesIntoTheModelledBackground() {
        List<DetectedBlob> blobs = blobsAfterWarmUp(settings(BackgroundMode.MODELLED, ARENA));
        assertEquals(1, blobs.size(), "only the walking animal: " + blobs);
        assertTrue(blobs.get(0).y() > 90);
    }

    @Test
    void aFlatBackgroundFindsTheRestingAnimalAndTheRegionKeepsTheDarkBarOut() {
        List<DetectedBlob> blobs = blobsAfterWarmUp(settings(BackgroundMode.FLAT, ARENA));
        assertEquals(2, blobs.size(), "both animals, not the bar: " + blobs);
        assertTrue(blobs.stream().anyMatch(b -> Math.abs(b.x() - 180) < 1 && Math.abs(b.y() - 40) < 1));
    }

    @Test
    void withoutARegionTheDarkBarIsFoundToo() {
        List<DetectedBlob> blobs = blobsAfterWarmUp(settings(BackgroundMode.FLAT, null));
        assertEquals(3, blobs.size(), "two animals and the bar: " + blobs);
    }

    @Test
    void aRegionOutsideTheFrameIsRefusedWithTheOptionNamed() {
        SegmentationSettings outside = settings(BackgroundMode.FLAT, new RegionOfInterest(100, 0, 200, 160));
        BadInputException e = assertThrows(BadInputException.class,
                () -> new BlobDetector(W, H, new byte[W * H], outside).close());
        assertTrue(e.getMessage().contains("--roi"), e.getMessage());
    }
}
