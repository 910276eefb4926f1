package dev.shoal.ingest;

import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/** Lossless grey test videos (FFV1, gray8, Matroska): decoding must give the very bytes written. */
final class GreyVideo {

    private GreyVideo() {
    }

    /** Frame {@code index} of a {@code width} x {@code height} video: a pattern that differs per pixel and frame. */
    static byte[] frame(int index, int width, int height) {
        byte[] pixels = new byte[width * height];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = (byte) (p * 7 + index * 31 + (p / width) * 3);
        }
        return pixels;
    }

    static Path write(Path file, int width, int height, List<byte[]> frames) throws Exception {
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height);
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            recorder.setFormat("matroska");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_FFV1);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_GRAY8);
            recorder.setFrameRate(25);
            recorder.start();
            for (byte[] pixels : frames) {
                try (Mat grey = new Mat(height, width, opencv_core.CV_8UC1)) {
                    grey.data().put(pixels);
                    recorder.record(converter.convert(grey), avutil.AV_PIX_FMT_GRAY8);
                }
            }
            recorder.stop();
        }
        return file;
    }
}
