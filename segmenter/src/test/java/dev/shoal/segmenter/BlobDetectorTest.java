package dev.shoal.segmenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlobDetectorTest {

    private static final int W = 320;
    private static final int H = 240;

    private static byte[] flat(int grey) {
        return new SyntheticFrame(W, H, grey).pixels(0, 0);
    }

    private static SegmentationSettings settings(Polarity polarity, int threshold, int minArea) {
        return new SegmentationSettings(polarity, threshold, minArea, 5000, 0);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 30, 60, 89, -30, -75})
    void findsCentroidWithinHalfAPixelAndOrientationWithinThreeDegrees(double degrees) {
        SyntheticFrame drawn = new SyntheticFrame(W, H, 200).ellipse(150.3, 110.7, 20, 6, degrees, 60);
        byte[] frame = drawn.pixels(3, 1);
        // OpenCV's anti-aliased outline sits about half a pixel outside the nominal ellipse, so the
        // expected area is the drawn coverage, not pi * a * b.
        double coverage = 0;
        for (byte v : drawn.pixels(0, 0)) {
            coverage += (200 - (v & 0xFF)) / 140.0;
        }
        // Threshold at half the contrast, where the anti-aliased edge crosses the true outline.
        try (BlobDetector detector = new BlobDetector(W, H, flat(200), settings(Polarity.DARK_ON_LIGHT, 70, 20))) {
            List<DetectedBlob> blobs = detector.segment(frame).blobs();
            assertEquals(1, blobs.size());
            DetectedBlob blob = blobs.get(0);
            assertEquals(150.3, blob.x(), 0.5);
            assertEquals(110.7, blob.y(), 0.5);
            double expected = Math.toRadians(degrees);
            double difference = Math.abs(Math.atan2(Math.sin(2 * (blob.orientation() - expected)),
                    Math.cos(2 * (blob.orientation() - expected)))) / 2;
            assertTrue(difference < Math.toRadians(3), "orientation " + Math.toDegrees(blob.orientation()));
            assertEquals(coverage, blob.area(), 0.05 * coverage);
            assertEquals(20.0 / 6, blob.elongation(), 0.5);
        }
    }

    @Test
    void automaticThresholdSeparatesAnimalsFromNoiseInBothPolarities() {
        byte[] dark = new SyntheticFrame(W, H, 200).ellipse(80, 80, 15, 5, 10, 90).ellipse(220, 150, 15, 5, 70, 90)
                .pixels(4, 2);
        try (BlobDetector detector = new BlobDetector(W, H, flat(200), settings(Polarity.DARK_ON_LIGHT, 0, 20))) {
            assertEquals(2, detector.segment(dark).blobs().size());
            assertTrue(detector.threshold() >= BlobDetector.MIN_AUTO_THRESHOLD);
        }
        byte[] light = new SyntheticFrame(W, H, 30).ellipse(80, 80, 15, 5, 10, 140).ellipse(220, 150, 15, 5, 70, 140)
                .pixels(4, 3);
        try (BlobDetector detector = new BlobDetector(W, H, flat(30), settings(Polarity.LIGHT_ON_DARK, 0, 20))) {
            assertEquals(2, detector.segment(light).blobs().size());
        }
        try (BlobDetector detector = new BlobDetector(W, H, flat(30), settings(Polarity.DARK_ON_LIGHT, 0, 20))) {
            assertEquals(0, detector.segment(light).blobs().size(), "light animals are not dark ones");
        }
    }

    @Test
    void noiseAloneMakesNoBlob() {
        try (BlobDetector detector = new BlobDetector(W, H, flat(200), settings(Polarity.ANY, 0, 5))) {
            assertEquals(0, detector.segment(new SyntheticFrame(W, H, 200).pixels(3, 4)).blobs().size());
        }
    }

    @Test
    void dropsBlobsBelowTheMinimumAreaAndKeepsLargeOnes() {
        byte[] frame = new SyntheticFrame(W, H, 200).ellipse(50, 50, 3, 2, 0, 40).ellipse(200, 120, 60, 30, 0, 40)
                .pixels(0, 5);
        try (BlobDetector detector = new BlobDetector(W, H, flat(200), settings(Polarity.DARK_ON_LIGHT, 40, 50))) {
            List<DetectedBlob> blobs = detector.segment(frame).blobs();
            assertEquals(1, blobs.size());
            assertTrue(blobs.get(0).area() > 5000, "a blob above the single-animal range is kept");
        }
    }

    @Test
    void labelImageMarksEachBlobsPixels() {
        byte[] frame = new SyntheticFrame(W, H, 200).ellipse(60, 60, 10, 5, 0, 50).ellipse(250, 180, 10, 5, 0, 50)
                .pixels(0, 6);
        try (BlobDetector detector = new BlobDetector(W, H, flat(200), settings(Polarity.DARK_ON_LIGHT, 40, 10))) {
            Segmentation s = detector.segment(frame);
            for (DetectedBlob blob : s.blobs()) {
                int centre = (int) Math.round(blob.y()) * W + (int) Math.round(blob.x());
                assertEquals(blob.label(), s.labels().get(centre));
                long pixels = 0;
                for (int p = 0; p < s.labels().limit(); p++) {
                    pixels += s.labels().get(p) == blob.label() ? 1 : 0;
                }
                assertEquals(blob.area(), pixels);
            }
            assertEquals(0, s.labels().get(0));
        }
    }

    @Test
    void refusesInconsistentSettingsNamingTheField() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> new SegmentationSettings(Polarity.ANY, 0, 100, 50, 0));
        assertTrue(e.getMessage().contains("--max-area"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> new SegmentationSettings(Polarity.ANY, -1, 1, 50, 0));
        assertTrue(e.getMessage().contains("--threshold"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> new SegmentationSettings(Polarity.ANY, 0, 0, 50, 0));
        assertTrue(e.getMessage().contains("--min-area"), e.getMessage());
    }
}
