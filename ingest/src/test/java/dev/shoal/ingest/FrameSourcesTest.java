package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import dev.shoal.core.RegionOfInterest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FrameSourcesTest {

    @TempDir
    Path temp;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private List<VideoFrame> readAll(FrameSource source) throws IOException {
        List<VideoFrame> frames = new ArrayList<>();
        try (source) {
            VideoFrame f;
            while ((f = source.next()) != null) {
                frames.add(f);
            }
        }
        return frames;
    }

    private static List<Integer> shownIndices(List<VideoFrame> frames) {
        return frames.stream().map(f -> IndexedVideo.indexOf(f.gray(), f.width())).toList();
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }

    @ParameterizedTest
    @EnumSource(IndexedVideo.Codec.class)
    void readsEveryFrameInOrderAsGreyFromEachCodecAndContainer(IndexedVideo.Codec codec) throws Exception {
        Path file = IndexedVideo.write(temp.resolve("video." + codec.extension), codec, 0, 30, 30);
        FrameSource source = FrameSources.open(file.toString(), SourceOptions.defaults(), registry);
        assertFalse(source.live());
        assertEquals(30, source.fps(), 0.01);
        List<VideoFrame> frames = readAll(source);
        assertEquals(range(0, 30), shownIndices(frames));
        for (int i = 0; i < frames.size(); i++) {
            VideoFrame f = frames.get(i);
            assertEquals(i, f.index());
            assertEquals(i / 30.0, f.mediaTimeS(), 1e-3);
            assertEquals(IndexedVideo.WIDTH * IndexedVideo.HEIGHT, f.gray().length);
        }
    }

    @ParameterizedTest
    @EnumSource(IndexedVideo.Codec.class)
    void everyCodecGivesTheBytesOfFFmpegsGrayConversion(IndexedVideo.Codec codec) throws Exception {
        Path file = IndexedVideo.write(temp.resolve("same." + codec.extension), codec, 0, 6, 25);
        List<VideoFrame> frames = readAll(FrameSources.open(file.toString(), SourceOptions.defaults(), registry));
        try (FFmpegFrameGrabber scaler = new FFmpegFrameGrabber(file.toString())) {
            scaler.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
            scaler.start();
            for (VideoFrame f : frames) {
                Frame converted = scaler.grabImage();
                byte[] expected = new byte[f.width() * f.height()];
                ByteBuffer pixels = (ByteBuffer) converted.image[0];
                for (int row = 0; row < f.height(); row++) {
                    pixels.position(row * converted.imageStride);
                    pixels.get(expected, row * f.width(), f.width());
                }
                assertArrayEquals(expected, f.gray(), codec + " frame " + f.index());
            }
        }
    }

    @Test
    void fileSchemeAndBarePathOpenTheSameVideo() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("v.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 5, 25);
        assertEquals(5, readAll(FrameSources.open("file:" + file, SourceOptions.defaults(), registry)).size());
        assertEquals(5, readAll(FrameSources.open(file.toString(), SourceOptions.defaults(), registry)).size());
    }

    @Test
    void twoFilesOfOneRecordingGiveOneContinuousIndexAndTime() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("run"));
        IndexedVideo.write(dir.resolve("part_2.mkv"), IndexedVideo.Codec.FFV1_MKV, 20, 15, 25);
        IndexedVideo.write(dir.resolve("part_10.mkv"), IndexedVideo.Codec.FFV1_MKV, 35, 10, 25);
        IndexedVideo.write(dir.resolve("part_1.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 20, 25);
        FrameSource source = FrameSources.open("files:" + dir.resolve("part_*.mkv"), SourceOptions.defaults(), registry);
        assertEquals(45, source.frameCount());
        List<VideoFrame> frames = readAll(source);
        assertEquals(range(0, 45), shownIndices(frames), "natural order: part_1, part_2, part_10");
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, frames.get(i).index());
            assertEquals(i / 25.0, frames.get(i).mediaTimeS(), 1e-3, "time continues across files at frame " + i);
        }
        List<VideoFrame> listed = readAll(FrameSources.open(List.of(dir.resolve("part_1.mkv").toString(),
                dir.resolve("part_2.mkv").toString()), SourceOptions.defaults(), registry));
        assertEquals(range(0, 35), shownIndices(listed));
        assertEquals(34, listed.get(34).index());
    }

    @Test
    void imageSequenceIsReadInOrderAtTheGivenRate() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("frames"));
        for (int i = 0; i < 12; i++) {
            try (Mat colour = IndexedVideo.colourFrame(i); Mat grey = new Mat()) {
                opencv_imgproc.cvtColor(colour, grey, opencv_imgproc.COLOR_BGR2GRAY);
                assertTrue(opencv_imgcodecs.imwrite(dir.resolve(String.format("frame_%06d.pgm", i)).toString(), grey));
            }
        }
        FrameSource source = FrameSources.open("images:" + dir.resolve("frame_%06d.pgm"),
                SourceOptions.defaults().withInputFps(10), registry);
        assertEquals(10, source.fps(), 1e-6);
        List<VideoFrame> frames = readAll(source);
        assertEquals(range(0, 12), shownIndices(frames));
        assertEquals(1.1, frames.get(11).mediaTimeS(), 1e-3);
    }

    @Test
    void colourImageSequenceIsConvertedToGreyByFFmpeg() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("colour"));
        for (int i = 0; i < 6; i++) {
            try (Mat colour = IndexedVideo.colourFrame(i)) {
                assertTrue(opencv_imgcodecs.imwrite(dir.resolve(String.format("frame_%03d.png", i)).toString(), colour));
            }
        }
        List<VideoFrame> frames = readAll(FrameSources.open("images:" + dir.resolve("frame_%03d.png"),
                SourceOptions.defaults(), registry));
        assertEquals(range(0, 6), shownIndices(frames));
        assertEquals(IndexedVideo.WIDTH * IndexedVideo.HEIGHT, frames.get(0).gray().length);
    }

    @Test
    void greyVideoComesOutBitExact() throws Exception {
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(GreyVideo.frame(i, IndexedVideo.WIDTH, IndexedVideo.HEIGHT));
        }
        Path file = GreyVideo.write(temp.resolve("grey.mkv"), IndexedVideo.WIDTH, IndexedVideo.HEIGHT, written);
        List<VideoFrame> frames = readAll(FrameSources.open(file.toString(), SourceOptions.defaults(), registry));
        assertEquals(5, frames.size());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(written.get(i), frames.get(i).gray(), "frame " + i);
        }
    }

    @Test
    void recycledPixelsReceiveALaterFrame() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("recycled.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 4, 25);
        try (FrameSource source = FrameSources.open(file.toString(), SourceOptions.defaults(), registry)) {
            VideoFrame first = source.next();
            byte[] pixels = first.gray();
            source.recycle(first);
            VideoFrame second = source.next();
            assertSame(pixels, second.gray());
            assertEquals(1, IndexedVideo.indexOf(second.gray(), second.width()));
            VideoFrame third = source.next();
            assertNotSame(pixels, third.gray(), "pixels not handed back are never reused");
            assertEquals(2, IndexedVideo.indexOf(third.gray(), third.width()));
            assertEquals(1, IndexedVideo.indexOf(second.gray(), second.width()));
        }
    }

    @Test
    void optionsCropTrimThinAndRetimeEveryKindOfSource() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("v.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 40, 20);
        SourceOptions trimmed = SourceOptions.defaults()
                .withRange(StreamPosition.ofFrame(5), StreamPosition.ofSeconds(1.5)).withStride(2);
        FrameSource source = FrameSources.open(file.toString(), trimmed, registry);
        assertEquals(13, source.frameCount());
        List<VideoFrame> frames = readAll(source);
        assertEquals(List.of(5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29), shownIndices(frames));
        assertEquals(0, frames.get(0).index(), "kept frames are numbered from 0");
        assertEquals(12, frames.get(12).index());

        List<VideoFrame> fiveFps = readAll(FrameSources.open(file.toString(),
                SourceOptions.defaults().withTargetFps(5), registry));
        assertEquals(List.of(0, 4, 8, 12, 16, 20, 24, 28, 32, 36), shownIndices(fiveFps));

        FrameSource cropped = FrameSources.open(file.toString(),
                SourceOptions.defaults().withRoi(new RegionOfInterest(20, 0, 40, 30)), registry);
        assertEquals(40, cropped.width());
        assertEquals(30, cropped.height());
        VideoFrame first = readAll(cropped).get(3);
        // Frame 3 sets bits 0 and 1: the crop starts in block 1 (set) and its third block is bit 3 (clear).
        assertTrue((first.gray()[10 * 40 + 10] & 0xff) > 128);
        assertTrue((first.gray()[10 * 40 + 30] & 0xff) < 128);
    }

    @Test
    void arenaSpecOpensALiveSourceOfItsSizeAndLength() throws Exception {
        try (FrameSource arena = FrameSources.open("arena:animals=2,frames=6,fps=200,size=256x192",
                SourceOptions.defaults(), registry)) {
            assertTrue(arena.live());
            assertEquals(256, arena.width());
            assertEquals(192, arena.height());
            List<VideoFrame> frames = readAll(arena);
            assertEquals(6, frames.size());
            assertEquals(5, frames.get(5).index());
        }
    }

    @Test
    void regionOutsideTheFrameIsOneLineError() throws Exception {
        Path file = IndexedVideo.write(temp.resolve("v.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 3, 20);
        BadInputException e = assertThrows(BadInputException.class, () -> FrameSources.open(file.toString(),
                SourceOptions.defaults().withRoi(new RegionOfInterest(100, 0, 100, 10)), registry));
        assertTrue(e.getMessage().contains("outside the 160x128 frame"), e.getMessage());
    }

    @Test
    void truncatedFileGivesItsFramesThenOneErrorNamingTheFrame() throws Exception {
        Path whole = IndexedVideo.write(temp.resolve("whole.mkv"), IndexedVideo.Codec.FFV1_MKV, 0, 60, 30);
        Path half = temp.resolve("half.mkv");
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(half, java.util.Arrays.copyOf(bytes, bytes.length / 2), StandardOpenOption.CREATE_NEW);
        List<Integer> seen = new ArrayList<>();
        BadInputException e;
        try (FrameSource source = FrameSources.open(half.toString(), SourceOptions.defaults(), registry)) {
            e = assertThrows(BadInputException.class, () -> {
                VideoFrame f;
                while ((f = source.next()) != null) {
                    seen.add(IndexedVideo.indexOf(f.gray(), f.width()));
                }
            });
        }
        assertTrue(seen.size() > 10 && seen.size() < 60, "frames before the damage: " + seen.size());
        assertEquals(range(0, seen.size()), seen);
        assertTrue(e.getMessage().contains("half.mkv") && e.getMessage().contains("truncated at frame " + seen.size()),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void unknownSchemeMissingDeviceAndMissingFileAreOneLineErrors() {
        BadInputException scheme = assertThrows(BadInputException.class,
                () -> FrameSources.open("ftp://example/video.mp4", SourceOptions.defaults(), registry));
        assertTrue(scheme.getMessage().contains("unknown source scheme 'ftp:'"), scheme.getMessage());
        BadInputException device = assertThrows(BadInputException.class,
                () -> FrameSources.open("device:/dev/video-none", SourceOptions.defaults(), registry));
        assertTrue(device.getMessage().contains("/dev/video-none: no such device"), device.getMessage());
        BadInputException file = assertThrows(BadInputException.class,
                () -> FrameSources.open(temp.resolve("absent.mp4").toString(), SourceOptions.defaults(), registry));
        assertTrue(file.getMessage().contains("absent.mp4: no such file"), file.getMessage());
        BadInputException glob = assertThrows(BadInputException.class,
                () -> FrameSources.open("files:" + temp.resolve("none_*.mp4"), SourceOptions.defaults(), registry));
        assertTrue(glob.getMessage().contains("no file matches"), glob.getMessage());
        for (BadInputException e : List.of(scheme, device, file, glob)) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void streamThatNeverAnswersFailsAfterTheTimeout() {
        int port = 40000 + (int) (ProcessHandle.current().pid() % 20000);
        BadInputException e = assertThrows(BadInputException.class, () -> FrameSources.open(
                "udp://127.0.0.1:" + port, SourceOptions.defaults().withTimeout(java.time.Duration.ofMillis(1500)),
                registry));
        assertTrue(e.getMessage().startsWith("udp://127.0.0.1:" + port + ": no video answered"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void realClipsDecodeToTheirDeclaredFrames() throws Exception {
        Path data = Path.of(System.getProperty("shoal.shared.data", "../shared/data"));
        Path twoFlies = data.resolve("dreem/two_flies.mp4");
        Path mice = data.resolve("mice/video.mp4");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(twoFlies) && Files.isRegularFile(mice),
                "shared clips absent under " + data);
        List<VideoFrame> flies = readAll(FrameSources.open(twoFlies.toString(), SourceOptions.defaults(), registry));
        assertEquals(128, flies.size());
        assertEquals(1024, flies.get(0).width());
        List<VideoFrame> mouse = readAll(FrameSources.open("file:" + mice, SourceOptions.defaults(), registry));
        assertEquals(97, mouse.size());
        assertEquals(768, mouse.get(0).height());
    }
}
