package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdentificationCropperTest {

    private static final int W = 200;
    private static final int H = 200;
    private static final int SIZE = 40;

    /** A body with darker spots at the given offsets along its axis, rotated by {@code degrees} about (100, 100). */
    private static byte[] body(double degrees, double... spotOffsets) {
        double r = Math.toRadians(degrees);
        SyntheticFrame frame = new SyntheticFrame(W, H, 200).ellipse(100, 100, 24, 8, degrees, 90);
        for (double offset : spotOffsets) {
            frame.ellipse(100 + offset * Math.cos(r), 100 + offset * Math.sin(r), 5, 4, degrees, 40);
        }
        return frame.pixels(0, 0);
    }

    private static byte[] crop(byte[] frame) {
        byte[] background = new SyntheticFrame(W, H, 200).pixels(0, 0);
        try (BlobDetector detector = new BlobDetector(W, H, background,
                new SegmentationSettings(Polarity.DARK_ON_LIGHT, 50, 20, 5000, 0));
             IdentificationCropper cropper = new IdentificationCropper(W, H, SIZE, 48)) {
            Segmentation s = detector.segment(frame);
            assertEquals(1, s.blobs().size());
            return cropper.crop(detector, s.blobs().get(0));
        }
    }

    private static double meanAbsoluteDifference(byte[] a, byte[] b, boolean rotateB) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            int j = rotateB ? a.length - 1 - i : i;
            sum += Math.abs((a[i] & 0xFF) - (b[j] & 0xFF));
        }
        return sum / a.length;
    }

    private static double uptoFlip(byte[] a, byte[] b) {
        return Math.min(meanAbsoluteDifference(a, b, false), meanAbsoluteDifference(a, b, true));
    }

    @Test
    void cropsOfOneBodyMatchAtEveryRotationUpToTheHeadTailFlip() {
        byte[] upright = crop(body(0, 12));
        for (double degrees : new double[] {90, 180, 270, 37}) {
            double difference = uptoFlip(upright, crop(body(degrees, 12)));
            assertTrue(difference < 4, degrees + " degrees: mean difference " + difference);
        }
        double otherAnimal = uptoFlip(upright, crop(body(0, 12, -12)));
        assertTrue(otherAnimal > 2 * uptoFlip(upright, crop(body(90, 12))),
                "a body with its spot elsewhere differs more: " + otherAnimal);
    }

    @Test
    void putsTheBodyHorizontallyInTheMiddleAndTheBackgroundElsewhere() {
        byte[] c = crop(body(60, 12));
        int centre = (SIZE / 2) * SIZE + SIZE / 2;
        assertTrue((c[centre] & 0xFF) < 120, "body at the centre");
        int topMiddle = 3 * SIZE + SIZE / 2;
        assertEquals(200, c[topMiddle] & 0xFF, "above the horizontal body is background");
        int corner = 0;
        assertEquals(200, c[corner] & 0xFF, "outside the blob is the background level");
    }

    @Test
    void estimatesTheBodyLengthOfAnEllipse() {
        DetectedBlob blob = new DetectedBlob(1, 0, 0, (int) Math.round(Math.PI * 24 * 8), 0, 0, 1, 1, 0, 3);
        assertEquals(48, IdentificationCropper.bodyLength(blob), 0.5);
    }
}
