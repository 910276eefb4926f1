package dev.shoal.ingest;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What FFmpeg is asked to open: a URL or path, a demuxer when it cannot be guessed (image2, v4l2),
 * demuxer and protocol options, whether it is live, and how to name it and fix it in a one-line error.
 */
public record FFmpegInput(String url, String format, Map<String, String> options, boolean live, String label,
                          String fix) {

    public FFmpegInput {
        options = Map.copyOf(options);
    }

    public static FFmpegInput file(Path path) {
        return new FFmpegInput(path.toString(), null, Map.of(), false, path.toString(),
                "give an mp4, avi, mkv or mov file");
    }

    /** An image sequence such as {@code frames/frame_%06d.pgm} (or a glob with {@code *}), read at {@code fps}. */
    public static FFmpegInput images(String pattern, double fps) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("framerate", rate(fps));
        if (pattern.contains("*") || pattern.contains("?")) {
            options.put("pattern_type", "glob");
        }
        return new FFmpegInput(pattern, "image2", options, false, "images:" + pattern,
                "give a printf pattern such as frames/frame_%06d.png or a glob such as 'frames/*.png'");
    }

    /** A V4L2 camera; size, rate and pixel format are asked of the driver only when given. */
    public static FFmpegInput camera(String device, SourceOptions o) {
        Map<String, String> options = new LinkedHashMap<>();
        if (o.videoSize() != null) {
            options.put("video_size", o.videoSize());
        }
        if (o.inputFps() > 0) {
            options.put("framerate", rate(o.inputFps()));
        }
        if (o.pixelFormat() != null) {
            options.put("input_format", o.pixelFormat());
        }
        options.put("timeout", Long.toString(o.timeout().toNanos() / 1000));
        return new FFmpegInput(device, "v4l2", options, true, "device:" + device,
                "check the camera is connected and free (v4l2-ctl --list-formats-ext -d " + device + ")");
    }

    /**
     * A network stream. There is no single timeout option across protocols: {@code rw_timeout} is the
     * generic one and {@code timeout} the one udp, rtsp, http and srt read; both are in microseconds.
     */
    public static FFmpegInput stream(String url, SourceOptions o) {
        String micros = Long.toString(o.timeout().toNanos() / 1000);
        Map<String, String> options = new LinkedHashMap<>();
        options.put("rw_timeout", micros);
        options.put("timeout", micros);
        String scheme = url.substring(0, url.indexOf(':')).toLowerCase(Locale.ROOT);
        if (scheme.equals("udp") || scheme.equals("rtp")) {
            // A late reader must not kill the stream: FFmpeg's receive buffer drops instead.
            options.put("overrun_nonfatal", "1");
            options.put("fifo_size", "1000000");
        }
        return new FFmpegInput(url, null, options, true, url,
                "check the address and that the sender is running, or raise --timeout");
    }

    private static String rate(double fps) {
        return String.format(Locale.ROOT, "%.6f", fps);
    }
}
