package dev.shoal.ingest.arena;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;

/** Codecs the arena can be written with, all in the non-GPL FFmpeg build. */
public enum ArenaCodec {
    /** Lossless: the pixels read back are the pixels drawn. */
    FFV1("video.mkv", "matroska", avcodec.AV_CODEC_ID_FFV1, null, avutil.AV_PIX_FMT_GRAY8),
    /** H.264 through Cisco's openh264 encoder (libx264 needs the GPL build). */
    H264("video.mp4", "mp4", avcodec.AV_CODEC_ID_H264, "libopenh264", avutil.AV_PIX_FMT_YUV420P),
    MJPEG("video.avi", "avi", avcodec.AV_CODEC_ID_MJPEG, null, avutil.AV_PIX_FMT_YUVJ420P);

    final String fileName;
    final String format;
    final int codecId;
    final String encoderName;
    final int pixelFormat;

    ArenaCodec(String fileName, String format, int codecId, String encoderName, int pixelFormat) {
        this.fileName = fileName;
        this.format = format;
        this.codecId = codecId;
        this.encoderName = encoderName;
        this.pixelFormat = pixelFormat;
    }

    public String fileName() {
        return fileName;
    }
}
