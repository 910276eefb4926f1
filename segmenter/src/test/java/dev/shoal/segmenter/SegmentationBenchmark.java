package dev.shoal.segmenter;

import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.connectedComponentsWithStats;

import dev.shoal.ingest.arena.ArenaCodec;
import dev.shoal.ingest.arena.ArenaRecording;
import dev.shoal.ingest.arena.ArenaSettings;
import dev.shoal.ingest.arena.Difficulty;
import dev.shoal.segmenter.proto.SessionCheckpoint;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Segmentation throughput on one core (not a test; figures go to docs/BENCHMARKS.md): renders an
 * arena video, then in the same run measures (a) FFmpeg decoding it alone, (b) a plain OpenCV
 * pipeline doing only absdiff + threshold + connectedComponentsWithStats on the decoded frames, and
 * the library on the same frames in memory: the blob detector alone, detector + fragment linker,
 * and the whole {@link SessionSegmenter} (crops and global fragments included). Run it under
 * {@code taskset -c 0} with {@code -XX:ActiveProcessorCount=1}; OpenCV and FFmpeg are held to one
 * thread here.
 *
 * <p>Arguments: animals frames size codec(FFV1|H264) passes work-dir.
 */
public final class SegmentationBenchmark {

    private SegmentationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int animals = Integer.parseInt(args[0]);
        int frames = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        ArenaCodec codec = ArenaCodec.valueOf(args[3]);
        int passes = Integer.parseInt(args[4]);
        Path dir = Path.of(args[5]).resolve("arena-" + animals + "-" + frames + "-" + size + "-" + codec);
        opencv_core.setNumThreads(1);
        Path video = dir.resolve(codec.fileName());
        if (!Files.exists(video)) {
            new ArenaRecording(new ArenaSettings(animals, frames, size, size, 30, 7, Difficulty.MEDIUM, 0), codec)
                    .writeTo(dir);
        }

        List<byte[]> decoded = new ArrayList<>();
        long decodeNanos = decode(video, decoded);
        double decodeFps = decoded.size() / (decodeNanos / 1e9);

        SegmentationSettings given = new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 10, size * size / 10, 0);
        WarmUp warmUp = new WarmUp(0, 30, 52, animals, true);
        long warmUpStart = System.nanoTime();
        SessionSegmenter session = new SessionSegmenter(size, size, 30, decoded.size(), 0, given, warmUp);
        for (int i = 0; !session.ready(); i++) {
            session.warmUpWith(i, decoded.get(i), i == decoded.size() - 1);
        }
        double warmUpSeconds = (System.nanoTime() - warmUpStart) / 1e9;
        byte[] background = session.background();
        session.segment(0, ByteBuffer.wrap(decoded.get(0)));
        SessionCheckpoint learnt = session.checkpoint("bench");
        SegmentationSettings settings = new SegmentationSettings(Polarity.DARK_ON_LIGHT, learnt.getThreshold(),
                learnt.getMinArea(), learnt.getMaxArea(), 0);

        double plain = 0;
        double detect = 0;
        double link = 0;
        double library = 0;
        double libraryNoGlobals = 0;
        long blobs = 0;
        for (int pass = 0; pass < passes; pass++) {
            plain = Math.max(plain, plainOpenCv(decoded, background, size, settings.threshold()));
            detect = Math.max(detect, detector(decoded, background, size, settings, null));
            link = Math.max(link, detector(decoded, background, size, settings,
                    new FragmentLinker(settings.maxArea(), animals)));
            double[] full = library(session, decoded, 1 + (long) pass * decoded.size());
            library = Math.max(library, full[0]);
            libraryNoGlobals = Math.max(libraryNoGlobals, full[1]);
            blobs = (long) full[2];
        }
        session.close();
        System.out.printf(Locale.ROOT, "arena %d animals, %d frames %dx%d %s, threshold %d, area %d..%d px, "
                        + "%.1f blobs/frame, warm-up %.2f s%n", animals, decoded.size(), size, size, codec,
                settings.threshold(), settings.minArea(), settings.maxArea(), blobs / (double) decoded.size(),
                warmUpSeconds);
        System.out.printf(Locale.ROOT, "fps (best of %d passes): decode %.0f | plain OpenCV %.0f | detector %.0f | "
                        + "detector+linker %.0f | library without global fragments %.0f | library %.0f "
                        + "(%.2f of plain OpenCV, %.2f of decode)%n", passes, decodeFps, plain, detect, link,
                libraryNoGlobals, library, library / plain, library / decodeFps);
    }

    /** Decodes every frame to GRAY8 on one thread; returns the time taken. */
    private static long decode(Path video, List<byte[]> into) throws Exception {
        long start = System.nanoTime();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
            grabber.setVideoOption("threads", "1");
            grabber.start();
            Frame frame;
            while ((frame = grabber.grabImage()) != null) {
                ByteBuffer pixels = (ByteBuffer) frame.image[0];
                int w = frame.imageWidth;
                byte[] gray = new byte[w * frame.imageHeight];
                for (int y = 0; y < frame.imageHeight; y++) {
                    pixels.get(y * frame.imageStride, gray, y * w, w);
                }
                into.add(gray);
            }
        }
        return System.nanoTime() - start;
    }

    /** absdiff + threshold + connectedComponentsWithStats, each frame copied once into native memory. */
    private static double plainOpenCv(List<byte[]> frames, byte[] background, int size, int threshold) {
        try (BytePointer data = new BytePointer((long) size * size);
             Mat frame = new Mat(size, size, CV_8UC1, data);
             Mat back = new Mat(size, size, CV_8UC1);
             Mat difference = new Mat();
             Mat foreground = new Mat();
             Mat labels = new Mat();
             Mat stats = new Mat();
             Mat centroids = new Mat()) {
            back.data().put(background);
            long start = System.nanoTime();
            for (byte[] gray : frames) {
                data.position(0).put(gray);
                absdiff(frame, back, difference);
                opencv_imgproc.threshold(difference, foreground, threshold - 1, 255, THRESH_BINARY);
                connectedComponentsWithStats(foreground, labels, stats, centroids, 8, CV_32S);
            }
            return frames.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The blob detector alone, or with the fragment linker. */
    private static double detector(List<byte[]> frames, byte[] background, int size, SegmentationSettings settings,
                                   FragmentLinker linker) {
        try (BlobDetector detector = new BlobDetector(size, size, background, settings)) {
            long start = System.nanoTime();
            for (byte[] gray : frames) {
                Segmentation s = detector.segment(gray);
                if (linker != null) {
                    linker.link(s);
                }
            }
            return frames.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The whole session: fps with global fragments, fps of segment() alone, blobs seen. */
    private static double[] library(SessionSegmenter session, List<byte[]> frames, long firstIndex) {
        long segmentNanos = 0;
        long blobs = 0;
        long start = System.nanoTime();
        for (int i = 0; i < frames.size(); i++) {
            long s = System.nanoTime();
            SessionSegmenter.SegmentedFrame out = session.segment(firstIndex + i, ByteBuffer.wrap(frames.get(i)));
            segmentNanos += System.nanoTime() - s;
            blobs += out.blobs().size();
            session.globalFragments(out, false);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new double[] {frames.size() / seconds, frames.size() / (segmentNanos / 1e9), blobs};
    }
}
