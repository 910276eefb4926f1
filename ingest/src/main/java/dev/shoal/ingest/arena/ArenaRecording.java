package dev.shoal.ingest.arena;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes an arena to a directory: the video, {@code truth.csv}
 * ({@code frame,identity,x,y,angle,touching}) and {@code arena.json} with every parameter. Each file
 * is written under a temporary name and renamed when complete.
 */
public final class ArenaRecording {

    public static final String TRUTH_HEADER = "frame,identity,x,y,angle,touching";
    private static final int RENDER_AHEAD = 4;

    private final ArenaSettings settings;
    private final ArenaCodec codec;
    private final AtomicLong written = new AtomicLong();
    private long touchingRows;
    private long rows;

    public ArenaRecording(ArenaSettings settings, ArenaCodec codec) {
        if (settings.frames() < 1) {
            throw new IllegalArgumentException("a recording needs a frame count");
        }
        this.settings = settings;
        this.codec = codec;
    }

    /** Renders and writes everything into {@code dir} (created if needed). */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path video = dir.resolve(codec.fileName());
        Path truth = dir.resolve("truth.csv");
        Path videoTmp = dir.resolve(".tmp-" + codec.fileName());
        Path truthTmp = dir.resolve(".truth.csv.tmp");
        ExecutorService renderer = Executors.newSingleThreadExecutor(r -> new Thread(r, "arena-render"));
        BlockingQueue<ArenaGenerator.ArenaFrame> rendered = new ArrayBlockingQueue<>(RENDER_AHEAD);
        try (ArenaGenerator generator = new ArenaGenerator(settings);
             BufferedWriter truthOut = Files.newBufferedWriter(truthTmp, StandardCharsets.UTF_8);
             FFmpegFrameRecorder recorder = recorder(videoTmp)) {
            // Rendering and encoding take similar time per frame, so they overlap on two threads.
            Future<?> rendering = renderer.submit(() -> {
                for (long i = 0; i < settings.frames(); i++) {
                    rendered.put(generator.next());
                }
                return null;
            });
            truthOut.write(TRUTH_HEADER);
            truthOut.newLine();
            recorder.start();
            int w = settings.width();
            int h = settings.height();
            try (Frame frame = new Frame(w, h, Frame.DEPTH_UBYTE, 1)) {
                for (long i = 0; i < settings.frames(); i++) {
                    ArenaGenerator.ArenaFrame next = takeRendered(rendered, rendering);
                    ByteBuffer pixels = (ByteBuffer) frame.image[0];
                    for (int row = 0; row < h; row++) {
                        pixels.position(row * frame.imageStride);
                        pixels.put(next.gray(), row * w, w);
                    }
                    recorder.record(frame, avutil.AV_PIX_FMT_GRAY8);
                    for (TruthRow row : next.truth()) {
                        truthOut.write(String.format(Locale.ROOT, "%d,%d,%.4f,%.4f,%.5f,%d", row.frame(),
                                row.identity(), row.x(), row.y(), row.angle(), row.touching() ? 1 : 0));
                        truthOut.newLine();
                        rows++;
                        if (row.touching()) {
                            touchingRows++;
                        }
                    }
                    written.incrementAndGet();
                }
            }
            recorder.stop();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(videoTmp);
            Files.deleteIfExists(truthTmp);
            throw e;
        } finally {
            renderer.shutdownNow();
        }
        Path jsonTmp = dir.resolve(".arena.json.tmp");
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonTmp.toFile(), description());
        Files.move(videoTmp, video, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(truthTmp, truth, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(jsonTmp, dir.resolve("arena.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private FFmpegFrameRecorder recorder(Path file) {
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), settings.width(), settings.height());
        recorder.setFormat(codec.format);
        recorder.setVideoCodec(codec.codecId);
        if (codec.encoderName != null) {
            recorder.setVideoCodecName(codec.encoderName);
        }
        recorder.setPixelFormat(codec.pixelFormat);
        recorder.setFrameRate(settings.fps());
        // FFmpegFrameRecorder defaults to 400 kb/s; lossy codecs get enough to keep the texture.
        recorder.setVideoBitrate((int) Math.min(Integer.MAX_VALUE, 4L * settings.width() * settings.height()
                * (long) Math.ceil(settings.fps())));
        recorder.setVideoQuality(2);
        recorder.setGopSize((int) Math.ceil(settings.fps()));
        // No encoder version or creation time in the file: the same seed gives the same bytes.
        recorder.setOption("fflags", "+bitexact");
        recorder.setVideoOption("flags", "+bitexact");
        if (codec == ArenaCodec.FFV1) {
            // Slices let FFmpeg decode a frame on several threads: noisy 1024x1024 FFV1 frames are
            // ~500 KB, and one thread decodes them at only ~40-80 fps here.
            recorder.setVideoOption("slices", "16");
        }
        // Encoding noisy frames costs about twice the rendering: let FFmpeg use every core for it.
        recorder.setVideoOption("threads", "auto");
        return recorder;
    }

    private Map<String, Object> description() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("animals", settings.animals());
        d.put("frames", settings.frames());
        d.put("width", settings.width());
        d.put("height", settings.height());
        d.put("fps", settings.fps());
        d.put("seed", settings.seed());
        d.put("difficulty", settings.difficulty().name().toLowerCase(Locale.ROOT));
        d.put("body_length_px", settings.bodyLength());
        d.put("codec", codec.name().toLowerCase(Locale.ROOT));
        d.put("video", codec.fileName());
        d.put("pattern_contrast", settings.difficulty().patternContrast());
        d.put("noise_sigma", settings.difficulty().noiseSigma());
        d.put("touching_fraction", touchingFraction());
        return d;
    }

    private static ArenaGenerator.ArenaFrame takeRendered(BlockingQueue<ArenaGenerator.ArenaFrame> rendered,
                                                          Future<?> rendering) throws IOException {
        try {
            while (true) {
                ArenaGenerator.ArenaFrame next = rendered.poll(100, TimeUnit.MILLISECONDS);
                if (next != null) {
                    return next;
                }
                if (rendering.isDone()) {
                    rendering.get();
                    throw new IllegalStateException("the arena renderer stopped early");
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("rendering the arena failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the arena", e);
        }
    }

    /** Frames encoded so far. */
    public long framesWritten() {
        return written.get();
    }

    /** Fraction of truth animal-frames in which the animal touches another. */
    public double touchingFraction() {
        return rows == 0 ? 0 : (double) touchingRows / rows;
    }
}
