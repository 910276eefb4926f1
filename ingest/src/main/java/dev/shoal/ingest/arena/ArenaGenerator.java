package dev.shoal.ingest.arena;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.RNG;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The synthetic arena: N look-alike animals moving in a circular arena, rendered frame by frame
 * with exact ground truth. Deterministic for a seed. One implementation behind both {@code shoal
 * simulate} (files) and the {@code arena:} live source.
 *
 * <p>Motion: a correlated random walk with heading persistence, swimming and resting bouts, soft
 * avoidance of the arena wall, and deliberate encounters in which an animal steers to another until
 * their bodies meet (or overlap, on hard).
 */
public final class ArenaGenerator implements AutoCloseable {

    /** A rendered frame and the truth of every animal in it. */
    public record ArenaFrame(long index, byte[] gray, List<TruthRow> truth) {
    }

    private static final double BACKGROUND = 200;
    private static final double BODY = 70;

    private final ArenaSettings settings;
    private final SplittableRandom random;
    private final RNG noise;
    private final List<AnimalAppearance> looks = new ArrayList<>();
    private final Animal[] animals;
    private final double cx;
    private final double cy;
    private final double radius;
    private final Mat background;
    private final Mat canvas = new Mat();
    private final Mat noiseImage;
    private final Mat gray8 = new Mat();
    private final Mat warpedAlpha = new Mat();
    private final Mat warpedValue = new Mat();
    private final Mat scratch = new Mat();
    private final Mat noiseMean = new Mat(1, 1, opencv_core.CV_64F, new Scalar(0));
    private final Mat noiseSigma;
    private final Rect[] bodyBoxes;
    private final Mat[] bodyMasks;
    private long index;

    public ArenaGenerator(ArenaSettings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.noise = new RNG(settings.seed() * 7919 + 17);
        this.noiseSigma = new Mat(1, 1, opencv_core.CV_64F, new Scalar(settings.difficulty().noiseSigma()));
        int w = settings.width();
        int h = settings.height();
        this.cx = w / 2.0;
        this.cy = h / 2.0;
        this.radius = 0.45 * Math.min(w, h);
        this.background = vignettedBackground(w, h);
        this.noiseImage = new Mat(h, w, CV_32FC1);
        int n = settings.animals();
        this.animals = new Animal[n];
        this.bodyBoxes = new Rect[n];
        this.bodyMasks = new Mat[n];
        for (int i = 0; i < n; i++) {
            double grey = BODY * (1 + 0.005 * (2 * random.nextDouble() - 1));
            looks.add(new AnimalAppearance(settings.bodyLength(), grey, settings.difficulty().patternContrast(),
                    random.split()));
        }
        placeAnimals();
    }

    private Mat vignettedBackground(int w, int h) {
        Mat image = new Mat(h, w, CV_32FC1);
        double far = Math.hypot(w / 2.0, h / 2.0);
        try (FloatIndexer px = image.createIndexer()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double r = Math.hypot(x - cx, y - cy) / far;
                    px.put(y, x, (float) (BACKGROUND * (1 - 0.25 * r * r)));
                }
            }
        }
        return image;
    }

    private void placeAnimals() {
        double minDistance = 1.3 * settings.bodyLength();
        for (int i = 0; i < animals.length; i++) {
            Animal a = new Animal();
            int attempts = 0;
            do {
                double r = (radius - settings.bodyLength()) * Math.sqrt(random.nextDouble());
                double phi = 2 * Math.PI * random.nextDouble();
                a.x = cx + r * Math.cos(phi);
                a.y = cy + r * Math.sin(phi);
                attempts++;
            } while (attempts < 1000 && tooClose(a, i, minDistance));
            a.heading = 2 * Math.PI * random.nextDouble() - Math.PI;
            a.encounterIn = nextEncounterDelay();
            a.partner = -1;
            animals[i] = a;
        }
    }

    private boolean tooClose(Animal a, int placed, double minDistance) {
        for (int j = 0; j < placed; j++) {
            if (Math.hypot(a.x - animals[j].x, a.y - animals[j].y) < minDistance) {
                return true;
            }
        }
        return false;
    }

    private int nextEncounterDelay() {
        int mean = settings.difficulty().encounterFrames();
        return (int) Math.round(mean * (0.67 + 0.66 * random.nextDouble()));
    }

    /** Renders the next frame and advances the animals. */
    public ArenaFrame next() {
        List<TruthRow> truth = render();
        byte[] gray = new byte[settings.width() * settings.height()];
        gray8.data().get(gray);
        ArenaFrame frame = new ArenaFrame(index, gray, truth);
        move();
        index++;
        return frame;
    }

    private List<TruthRow> render() {
        background.copyTo(canvas);
        for (int i = 0; i < animals.length; i++) {
            paint(i);
        }
        double light = illumination();
        noise._fill(noiseImage, RNG.NORMAL, noiseMean, noiseSigma);
        opencv_core.scaleAdd(canvas, light, noiseImage, canvas);
        canvas.convertTo(gray8, CV_8U);
        List<TruthRow> rows = new ArrayList<>(animals.length);
        for (int i = 0; i < animals.length; i++) {
            rows.add(new TruthRow(index, i, animals[i].x, animals[i].y, animals[i].heading, touchesAnother(i)));
        }
        return rows;
    }

    /** Warps animal {@code i}'s patches into place and blends them: canvas = canvas (1 - a) + value a. */
    private void paint(int i) {
        AnimalAppearance look = looks.get(i);
        Animal a = animals[i];
        int half = (int) Math.ceil(look.alpha.cols() * 0.75) + 2;
        int left = Math.max(0, (int) Math.floor(a.x) - half);
        int top = Math.max(0, (int) Math.floor(a.y) - half);
        int right = Math.min(settings.width(), (int) Math.floor(a.x) + half + 1);
        int bottom = Math.min(settings.height(), (int) Math.floor(a.y) + half + 1);
        Rect box = new Rect(left, top, right - left, bottom - top);
        double cos = Math.cos(a.heading);
        double sin = Math.sin(a.heading);
        try (Mat m = new Mat(2, 3, opencv_core.CV_64F); DoubleIndexer t = m.createIndexer()) {
            // Rotate about the body's centre of mass, then put that point at (x, y) within the box.
            t.put(0, 0, cos);
            t.put(0, 1, -sin);
            t.put(0, 2, a.x - left - cos * look.anchorX + sin * look.anchorY);
            t.put(1, 0, sin);
            t.put(1, 1, cos);
            t.put(1, 2, a.y - top - sin * look.anchorX - cos * look.anchorY);
            Size size = new Size(box.width(), box.height());
            warpAffine(look.alpha, warpedAlpha, m, size, INTER_LINEAR, BORDER_CONSTANT, new Scalar(0));
            warpAffine(look.value, warpedValue, m, size, INTER_LINEAR, BORDER_CONSTANT, new Scalar(0));
        }
        try (Mat region = canvas.apply(box)) {
            opencv_core.subtract(warpedValue, region, scratch);
            opencv_core.multiply(scratch, warpedAlpha, scratch);
            opencv_core.add(region, scratch, region);
        }
        if (bodyMasks[i] == null) {
            bodyMasks[i] = new Mat();
        }
        // Body pixels for the touching test: any visible coverage.
        threshold(warpedAlpha, scratch, 0.02, 255, THRESH_BINARY);
        scratch.convertTo(bodyMasks[i], CV_8UC1);
        bodyBoxes[i] = box;
    }

    /** True when animal i's body pixels overlap or touch (8-neighbourhood) another's. */
    private boolean touchesAnother(int i) {
        Rect a = bodyBoxes[i];
        for (int j = 0; j < animals.length; j++) {
            if (j == i) {
                continue;
            }
            Rect b = bodyBoxes[j];
            int left = Math.max(a.x(), b.x() - 1);
            int top = Math.max(a.y(), b.y() - 1);
            int right = Math.min(a.x() + a.width(), b.x() + b.width() + 1);
            int bottom = Math.min(a.y() + a.height(), b.y() + b.height() + 1);
            if (left >= right || top >= bottom) {
                continue;
            }
            if (masksMeet(i, j, left, top, right, bottom)) {
                return true;
            }
        }
        return false;
    }

    private boolean masksMeet(int i, int j, int left, int top, int right, int bottom) {
        Rect a = bodyBoxes[i];
        Rect b = bodyBoxes[j];
        try (UByteIndexer ma = bodyMasks[i].createIndexer(); UByteIndexer mb = bodyMasks[j].createIndexer()) {
            for (int y = top; y < bottom; y++) {
                for (int x = left; x < right; x++) {
                    if (ma.get(y - a.y(), x - a.x()) == 0) {
                        continue;
                    }
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int by = y + dy - b.y();
                            int bx = x + dx - b.x();
                            if (by >= 0 && bx >= 0 && by < b.height() && bx < b.width() && mb.get(by, bx) != 0) {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        return false;
    }

    private double illumination() {
        double drift = settings.difficulty().drift();
        if (drift == 0) {
            return 1;
        }
        double slow = Math.sin(2 * Math.PI * index / (settings.fps() * 20));
        double flicker = (2 * random.nextDouble() - 1) / 3;
        return 1 + drift * (slow + flicker) / 2;
    }

    private void move() {
        double perFrame = 30 / settings.fps();
        double cruise = 1.2 * settings.bodyLength() / settings.fps();
        for (int i = 0; i < animals.length; i++) {
            Animal a = animals[i];
            steer(i, a, perFrame);
            a.speed += (a.targetSpeed(cruise) - a.speed) * 0.1;
            a.x += a.speed * Math.cos(a.heading);
            a.y += a.speed * Math.sin(a.heading);
            keepInside(a);
        }
    }

    private void steer(int i, Animal a, double perFrame) {
        if (a.resting) {
            if (random.nextDouble() < 0.02 * perFrame) {
                a.resting = false;
            }
        } else if (a.partner < 0 && random.nextDouble() < 0.003 * perFrame) {
            a.resting = true;
        }
        a.heading += random.nextDouble(-1, 1) * 0.14 * Math.sqrt(perFrame);
        if (a.partner >= 0) {
            Animal b = animals[a.partner];
            double distance = Math.hypot(b.x - a.x, b.y - a.y);
            double meet = settings.bodyLength() * (1.1 - 0.5 * settings.difficulty().encounterSpread());
            a.encounterFrames--;
            if (distance < meet || a.encounterFrames <= 0) {
                // Part after meeting, as animals do, instead of swimming on through each other.
                a.partner = -1;
                a.encounterIn = nextEncounterDelay();
                a.heading += (random.nextBoolean() ? 1 : -1) * (Math.PI / 2 + random.nextDouble() * Math.PI / 4);
            } else {
                turnTowards(a, Math.atan2(b.y - a.y, b.x - a.x), 0.3);
            }
        } else if (--a.encounterIn <= 0) {
            a.partner = nearestOther(i);
            a.encounterFrames = (int) Math.round(4 * settings.fps());
            a.resting = false;
        }
        double fromCentre = Math.hypot(a.x - cx, a.y - cy);
        double margin = settings.bodyLength();
        if (fromCentre > radius - 1.5 * margin) {
            double inward = Math.atan2(cy - a.y, cx - a.x);
            turnTowards(a, inward, Math.min(0.5, 0.15 * (fromCentre - radius + 1.5 * margin) / margin + 0.05));
        }
        a.heading = Math.atan2(Math.sin(a.heading), Math.cos(a.heading));
    }

    private static void turnTowards(Animal a, double target, double gain) {
        double delta = Math.atan2(Math.sin(target - a.heading), Math.cos(target - a.heading));
        a.heading += gain * delta;
    }

    private int nearestOther(int i) {
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int j = 0; j < animals.length; j++) {
            double d = Math.hypot(animals[j].x - animals[i].x, animals[j].y - animals[i].y);
            if (j != i && d < bestDistance) {
                best = j;
                bestDistance = d;
            }
        }
        return best;
    }

    private void keepInside(Animal a) {
        double limit = radius - settings.bodyLength() / 2;
        double dx = a.x - cx;
        double dy = a.y - cy;
        double r = Math.hypot(dx, dy);
        if (r > limit) {
            a.x = cx + dx * limit / r;
            a.y = cy + dy * limit / r;
        }
    }

    public ArenaSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        looks.forEach(AnimalAppearance::close);
        for (Mat m : bodyMasks) {
            if (m != null) {
                m.close();
            }
        }
        background.close();
        canvas.close();
        noiseImage.close();
        gray8.close();
        warpedAlpha.close();
        warpedValue.close();
        scratch.close();
        noiseMean.close();
        noiseSigma.close();
        noise.close();
    }

    /** Motion state of one animal. */
    private static final class Animal {
        double x;
        double y;
        double heading;
        double speed;
        boolean resting;
        int partner;
        int encounterIn;
        int encounterFrames;

        double targetSpeed(double cruise) {
            if (resting) {
                return 0;
            }
            return partner >= 0 ? 1.5 * cruise : cruise;
        }
    }
}
