package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import dev.shoal.ingest.arena.ArenaSettings;
import dev.shoal.ingest.arena.ArenaSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a source from its spec, the one place the spec grammar lives:
 * <pre>
 *   file:PATH | PATH                  a video file
 *   files:GLOB | PATH PATH ...        consecutive files of one recording, as one video (glob on file names)
 *   images:PATTERN                    an image sequence (printf pattern or glob), at --fps (default 25)
 *   device:/dev/videoN                a V4L2 camera (--size, --fps, --pixel-format)
 *   rtsp:// rtp:// udp:// http:// https:// srt://   a live network stream, reconnecting on drops
 *   arena:animals=N,seed=S,...        the synthetic arena, live at its fps (see {@link ArenaSettings#parse})
 * </pre>
 * then applies the options every kind shares (region, range, stride, target rate, pacing).
 */
public final class FrameSources {

    private static final Set<String> STREAM_SCHEMES = Set.of("rtsp", "rtp", "udp", "http", "https", "srt");
    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]+):(.*)$", Pattern.DOTALL);
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private FrameSources() {
    }

    /** Opens one spec. */
    public static FrameSource open(String spec, SourceOptions options, MeterRegistry registry) throws IOException {
        return open(List.of(spec), options, registry);
    }

    /** Opens one spec, or several paths as one continuous recording. */
    public static FrameSource open(List<String> specs, SourceOptions options, MeterRegistry registry)
            throws IOException {
        if (specs.isEmpty()) {
            throw new BadInputException("no source given; give a file, files:GLOB, images:PATTERN, device:/dev/videoN"
                    + " or a stream URL");
        }
        FrameSource source = specs.size() == 1
                ? openOne(specs.get(0), options, registry)
                : ConcatenatedSource.open(specs.stream().map(FrameSources::filePath).toList());
        return withOptions(source, options, String.join(" ", specs));
    }

    /** Opens an {@code arena:} spec whose ground truth goes to {@code listener} frame by frame. */
    public static FrameSource openArena(String spec, SourceOptions options, ArenaSource.TruthListener listener)
            throws IOException {
        return withOptions(new ArenaSource(ArenaSettings.parse(spec), true, listener), options, spec);
    }

    private static FrameSource withOptions(FrameSource source, SourceOptions options, String label)
            throws IOException {
        try {
            if (options.selects()) {
                source = new SelectedSource(source, options, label);
            }
            if (options.paced() && !source.live()) {
                source = new PacedSource(source);
            }
            return source;
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private static FrameSource openOne(String spec, SourceOptions options, MeterRegistry registry) throws IOException {
        Matcher m = SCHEME.matcher(spec);
        if (!m.matches() || Files.exists(Path.of(spec))) {
            return VideoFileSource.open(Path.of(spec));
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String rest = m.group(2);
        if (STREAM_SCHEMES.contains(scheme)) {
            return new ReconnectingSource(FFmpegInput.stream(spec, options), options, registry);
        }
        return switch (scheme) {
            case "file" -> VideoFileSource.open(Path.of(rest));
            case "files" -> ConcatenatedSource.open(glob(spec, rest));
            case "images" -> FFmpegSource.open(FFmpegInput.images(rest,
                    options.inputFps() > 0 ? options.inputFps() : SourceOptions.DEFAULT_IMAGE_FPS));
            case "device" -> openCamera(rest, options, registry);
            case "arena" -> new ArenaSource(ArenaSettings.parse(spec), true);
            default -> throw new BadInputException(spec + ": unknown source scheme '" + scheme + ":'; give a file path,"
                    + " file:, files:, images:, device:, arena:, rtsp://, rtp://, udp://, http(s):// or srt://");
        };
    }

    private static FrameSource openCamera(String device, SourceOptions options, MeterRegistry registry) {
        if (!Files.exists(Path.of(device))) {
            throw new BadInputException("device:" + device + ": no such device; connect the camera or give an existing"
                    + " one (ls /dev/video*)");
        }
        return new ReconnectingSource(FFmpegInput.camera(device, options), options, registry);
    }

    private static Path filePath(String spec) {
        Matcher m = SCHEME.matcher(spec);
        if (!m.matches() || Files.exists(Path.of(spec))) {
            return Path.of(spec);
        }
        if (m.group(1).equalsIgnoreCase("file")) {
            return Path.of(m.group(2));
        }
        throw new BadInputException(spec + ": only video files can be joined into one recording; give file paths");
    }

    /** The files whose names match the glob's last part, in natural order (part_2 before part_10). */
    private static List<Path> glob(String spec, String pattern) throws IOException {
        Path full = Path.of(pattern);
        Path dir = full.getParent() == null ? Path.of(".") : full.getParent();
        if (dir.toString().matches(".*[*?\\[{].*")) {
            throw new BadInputException(spec + ": wildcards only in the file name, e.g. files:/data/run1/part_*.mp4");
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(spec + ": no such directory " + dir + "; give an existing one");
        }
        List<Path> matches = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, full.getFileName().toString())) {
            for (Path p : stream) {
                if (Files.isRegularFile(p)) {
                    matches.add(p);
                }
            }
        }
        if (matches.isEmpty()) {
            throw new BadInputException(spec + ": no file matches; check the pattern (e.g. files:run1/part_*.mp4)");
        }
        matches.sort(Comparator.comparing(p -> naturalKey(p.getFileName().toString())));
        return matches;
    }

    // Zero-padding every digit run to one width makes plain string order numeric order.
    private static String naturalKey(String name) {
        Matcher m = DIGITS.matcher(name);
        StringBuilder key = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(key, "0".repeat(Math.max(0, 20 - m.group().length())) + m.group());
        }
        m.appendTail(key);
        return key.toString();
    }
}
