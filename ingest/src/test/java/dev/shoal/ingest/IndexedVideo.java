package dev.shoal.ingest;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Test videos whose frames say their own number: the top row holds {@value #BITS} blocks, yellow for a
 * set bit and dark blue for a clear one, so a decoded GRAY8 frame gives its index back even after
 * lossy coding, and colour input must have been converted to grey to read it.
 */
final class IndexedVideo {

    static final int WIDTH = 160;
    static final int HEIGHT = 128;
    static final int BITS = 8;
    private static final int BLOCK = WIDTH / BITS;

    /** A codec in a container, as FFmpeg names them. */
    enum Codec {
        FFV1_MKV("matroska", avcodec.AV_CODEC_ID_FFV1, avutil.AV_PIX_FMT_YUV420P, "mkv"),
        MJPEG_AVI("avi", avcodec.AV_CODEC_ID_MJPEG, avutil.AV_PIX_FMT_YUVJ420P, "avi"),
        MPEG4_MP4("mp4", avcodec.AV_CODEC_ID_MPEG4, avutil.AV_PIX_FMT_YUV420P, "mp4"),
        OPENH264_MP4("mp4", avcodec.AV_CODEC_ID_H264, avutil.AV_PIX_FMT_YUV420P, "mp4");

        final String format;
        final int codec;
        final int pixelFormat;
        final String extension;

        Codec(String format, int codec, int pixelFormat, String extension) {
            this.format = format;
            this.codec = codec;
            this.pixelFormat = pixelFormat;
            this.extension = extension;
        }
    }

    private IndexedVideo() {
    }

    /** Writes frames {@code first..first+frames-1}, each showing its number, at {@code fps}. */
    static Path write(Path file, Codec codec, int first, int frames, double fps) throws Exception {
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), WIDTH, HEIGHT);
             OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            recorder.setFormat(codec.format);
            recorder.setVideoCodec(codec.codec);
            recorder.setPixelFormat(codec.pixelFormat);
            recorder.setFrameRate(fps);
            recorder.setVideoBitrate(4_000_000);
            recorder.setGopSize(10);
            recorder.start();
            for (int i = first; i < first + frames; i++) {
                try (Mat image = colourFrame(i)) {
                    recorder.record(converter.convert(image), avutil.AV_PIX_FMT_BGR24);
                }
            }
            recorder.stop();
        }
        return file;
    }

    static Mat colourFrame(int index) {
        Mat image = new Mat(HEIGHT, WIDTH, opencv_core.CV_8UC3, new Scalar(128, 128, 128, 0));
        for (int bit = 0; bit < BITS; bit++) {
            boolean set = (index >> bit & 1) == 1;
            try (Scalar colour = set ? new Scalar(0, 230, 255, 0) : new Scalar(120, 10, 10, 0);
                 Point from = new Point(bit * BLOCK, 0);
                 Point to = new Point(bit * BLOCK + BLOCK - 1, BLOCK - 1)) {
                opencv_imgproc.rectangle(image, from, to, colour, -1, opencv_imgproc.LINE_8, 0);
            }
        }
        return image;
    }

    /** The number a GRAY8 frame of this video shows, read from the middle of each block. */
    static int indexOf(byte[] gray, int width) {
        int index = 0;
        for (int bit = 0; bit < BITS; bit++) {
            int x = bit * BLOCK + BLOCK / 2;
            int y = BLOCK / 2;
            if ((gray[y * width + x] & 0xff) > 128) {
                index |= 1 << bit;
            }
        }
        return index;
    }
}
