package dev.shoal.identifier;

import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes {@code trajectories.parquet}: the rows of {@code trajectories.csv}, same columns in the same order,
 * integers as INT64 (interpolated 0/1 as in the CSV) and reals as DOUBLE at full precision (the CSV prints
 * them rounded). Like {@link TrajectoryCsvWriter}, it writes a temporary file beside the target and renames
 * it into place only on {@link #commit()}.
 *
 * <p>Uses parquet-java's Hadoop-free path (a {@link LocalOutputFile} and a {@link PlainParquetConfiguration});
 * Hadoop is not on the class path. Pages are GZIP-compressed by the JDK's own zlib ({@link JdkGzipCodecFactory}):
 * no native library to ship, and every Parquet reader reads GZIP.
 */
public final class TrajectoryParquetWriter implements AutoCloseable {

    /** The columns of {@link TrajectoryCsvWriter#HEADER}, in its order. */
    public static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.INT64).named("frame")
            .required(PrimitiveTypeName.DOUBLE).named("time_s")
            .required(PrimitiveTypeName.INT64).named("identity")
            .required(PrimitiveTypeName.DOUBLE).named("x")
            .required(PrimitiveTypeName.DOUBLE).named("y")
            .required(PrimitiveTypeName.DOUBLE).named("angle")
            .required(PrimitiveTypeName.DOUBLE).named("confidence")
            .required(PrimitiveTypeName.INT64).named("fragment")
            .required(PrimitiveTypeName.INT64).named("interpolated")
            .named("trajectories");

    private final Path target;
    private final Path temporary;
    private final ParquetWriter<Group> out;
    private final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    private boolean closed;
    private boolean committed;

    /**
     * @throws BadInputException when {@code target} is a directory
     * @throws IOException       when the temporary file beside it cannot be created
     */
    public TrajectoryParquetWriter(Path target) throws IOException {
        if (Files.isDirectory(target)) {
            throw new BadInputException(target + ": is a directory, so the Parquet trajectories cannot be written"
                    + " there; move or remove it");
        }
        this.target = target;
        this.temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            this.out = ExampleParquetWriter.builder(new LocalOutputFile(temporary))
                    .withConf(new PlainParquetConfiguration())
                    .withType(SCHEMA)
                    .withCodecFactory(new JdkGzipCodecFactory())
                    .withCompressionCodec(CompressionCodecName.GZIP)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .build();
        } catch (IOException e) {
            IOException failure = new IOException(target + ": cannot write the Parquet trajectories (" + e + ")", e);
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    /** Appends one row per track of the frame. */
    public void write(FrameTracks frame) throws IOException {
        for (Track t : frame.getTracksList()) {
            write(frame.getIndex(), frame.getMediaTimeS(), t);
        }
    }

    /** Appends one row. */
    public void write(long frame, double timeS, Track t) throws IOException {
        out.write(groups.newGroup()
                .append("frame", frame)
                .append("time_s", timeS)
                .append("identity", t.getIdentity())
                .append("x", t.getX())
                .append("y", t.getY())
                .append("angle", t.getAngle())
                .append("confidence", t.getConfidence())
                .append("fragment", t.getFragment())
                .append("interpolated", t.getInterpolated() ? 1L : 0L));
    }

    /** Writes the footer and moves the file to its final name. */
    public void commit() throws IOException {
        closed = true;
        out.close();
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    /** Without a commit, discards the temporary file. */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        try {
            if (!closed) {
                closed = true;
                out.close();
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
