package dev.shoal.identifier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet page compression with the JDK's own {@code java.util.zip}: GZIP (and UNCOMPRESSED). parquet-java's
 * {@code CodecFactory} goes through Hadoop's codec classes for every codec, even to write uncompressed pages,
 * and snappy/zstd need native libraries; this keeps the Parquet path free of both.
 */
final class JdkGzipCodecFactory implements CompressionCodecFactory {

    private static final BytesInputCompressor UNCOMPRESSED = new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) {
            return bytes;
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.UNCOMPRESSED;
        }

        @Override
        public void release() {
        }
    };

    private static final BytesInputCompressor GZIP = new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream((int) Math.min(bytes.size() / 2 + 64,
                    Integer.MAX_VALUE - 8));
            try (GZIPOutputStream out = new GZIPOutputStream(compressed, 64 * 1024)) {
                bytes.writeAllTo(out);
            }
            return BytesInput.from(compressed.toByteArray());
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.GZIP;
        }

        @Override
        public void release() {
        }
    };

    /** Reads a page back whole: {@code decompressedSize} is in the page header. */
    private static final class Decompressor implements BytesInputDecompressor {

        private final boolean gzip;

        Decompressor(boolean gzip) {
            this.gzip = gzip;
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
            if (!gzip) {
                return bytes;
            }
            try (InputStream in = new GZIPInputStream(bytes.toInputStream(), 64 * 1024)) {
                byte[] page = in.readNBytes(decompressedSize);
                if (page.length != decompressedSize) {
                    throw new IOException("GZIP page gave " + page.length + " bytes, its header says "
                            + decompressedSize);
                }
                return BytesInput.from(page);
            }
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
                throws IOException {
            ByteBuffer page = input.slice();
            page.limit(compressedSize);
            output.put(decompress(BytesInput.from(page), decompressedSize).toByteBuffer());
            input.position(input.position() + compressedSize);
        }

        @Override
        public void release() {
        }
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codecName) {
        return switch (codecName) {
            case UNCOMPRESSED -> UNCOMPRESSED;
            case GZIP -> GZIP;
            default -> throw unsupported(codecName);
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codecName) {
        return switch (codecName) {
            case UNCOMPRESSED -> new Decompressor(false);
            case GZIP -> new Decompressor(true);
            default -> throw unsupported(codecName);
        };
    }

    private static IllegalArgumentException unsupported(CompressionCodecName codecName) {
        return new IllegalArgumentException("Parquet codec " + codecName + " is not available here (GZIP and"
                + " UNCOMPRESSED only, without Hadoop or native libraries)");
    }

    @Override
    public void release() {
    }
}
