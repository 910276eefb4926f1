package dev.shoal.identifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryParquetWriterTest {

    @TempDir
    Path temp;

    /** Three frames of two animals: reals that the CSV rounds, a negative angle, an unidentified and an interpolated track. */
    private static List<TrajectoryTable.Row> rows() {
        TrajectoryTable table = new TrajectoryTable();
        for (long i = 0; i < 3; i++) {
            table.add(FrameTracks.newBuilder().setIndex(i).setMediaTimeS(i / 30.0)
                    .addTracks(Track.newBuilder().setIdentity(2).setX(10.123456 + i).setY(Math.PI * i)
                            .setAngle(-0.785398).setConfidence(0.987654).setFragment(7))
                    .addTracks(Track.newBuilder().setIdentity(i == 1 ? 0 : 1).setX(300.5).setY(1e-4)
                            .setFragment(8 + i).setInterpolated(i == 2))
                    .build());
        }
        return table.rows();
    }

    /** Opens the file with parquet-java's reader over a local file, Hadoop-free like the writer. */
    private static ParquetFileReader open(Path parquet) throws IOException {
        return ParquetFileReader.open(new LocalInputFile(parquet), ParquetReadOptions.builder(
                new PlainParquetConfiguration()).withCodecFactory(new JdkGzipCodecFactory()).build());
    }

    /** Every row of the file, row group by row group. */
    private static List<Group> read(Path parquet) throws IOException {
        List<Group> groups = new ArrayList<>();
        try (ParquetFileReader reader = open(parquet)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            for (PageReadStore pages = reader.readNextRowGroup(); pages != null; pages = reader.readNextRowGroup()) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    groups.add(records.read());
                }
            }
        }
        return groups;
    }

    private static Track track(Group g) {
        return Track.newBuilder().setIdentity(g.getLong("identity", 0)).setX(g.getDouble("x", 0))
                .setY(g.getDouble("y", 0)).setAngle(g.getDouble("angle", 0))
                .setConfidence(g.getDouble("confidence", 0)).setFragment(g.getLong("fragment", 0))
                .setInterpolated(g.getLong("interpolated", 0) == 1).build();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void readsBackEveryColumnOfEveryRowAsTheCsvWrittenFromTheSameRows() throws Exception {
        List<TrajectoryTable.Row> rows = rows();
        Path csv = temp.resolve("trajectories.csv");
        Path parquet = temp.resolve("trajectories.parquet");
        TrajectoryTable.writeLong(rows, csv);
        TrajectoryTable.writeParquet(rows, parquet);

        try (ParquetFileReader footer = open(parquet)) {
            assertEquals(TrajectoryParquetWriter.SCHEMA, footer.getFileMetaData().getSchema());
        }
        List<Group> groups = read(parquet);
        assertEquals(rows.size(), groups.size());
        Path fromParquet = temp.resolve("from-parquet.csv");
        try (TrajectoryCsvWriter again = new TrajectoryCsvWriter(fromParquet)) {
            for (int i = 0; i < rows.size(); i++) {
                TrajectoryTable.Row row = rows.get(i);
                Group g = groups.get(i);
                assertEquals(row.frame(), g.getLong("frame", 0), "frame of row " + i);
                assertEquals(row.timeS(), g.getDouble("time_s", 0), "time_s of row " + i);
                assertEquals(row.track(), track(g), "track columns of row " + i);
                again.write(g.getLong("frame", 0), g.getDouble("time_s", 0), track(g));
            }
            again.commit();
        }
        assertEquals(Files.readAllLines(csv), Files.readAllLines(fromParquet),
                "the Parquet rows printed as the CSV prints them give the CSV");
        assertEquals(List.of(csv, fromParquet, parquet).stream().sorted().toList(),
                files(temp).stream().sorted().toList(), "temporary files renamed, not left behind");
    }

    @Test
    void nothingUnderTheFinalNameBeforeCommitAndAnOlderResultSurvivesAnUncommittedWriter() throws Exception {
        Path parquet = temp.resolve("trajectories.parquet");
        TrajectoryTable.writeParquet(rows().subList(0, 2), parquet);
        try (TrajectoryParquetWriter writer = new TrajectoryParquetWriter(parquet)) {
            for (TrajectoryTable.Row row : rows()) {
                writer.write(row.frame(), row.timeS(), row.track());
            }
        }
        assertEquals(2, read(parquet).size(), "the older file is intact");
        assertEquals(List.of(parquet), files(temp));
    }

    @Test
    void aDirectoryInTheWayIsRefusedInOneLineAndLeavesNoFile() throws Exception {
        Path parquet = Files.createDirectory(temp.resolve("trajectories.parquet"));
        BadInputException e = assertThrows(BadInputException.class, () -> TrajectoryTable.writeParquet(rows(), parquet));
        assertTrue(e.getMessage().startsWith(parquet + ": is a directory"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(List.of(parquet), files(temp));
        assertTrue(files(parquet).isEmpty());
    }

    @Test
    void anOutputDirectoryThatCannotHoldFilesFailsInOneLineNamingTheTarget() throws Exception {
        Path notADirectory = Files.writeString(temp.resolve("out"), "a file, not a directory\n");
        Path parquet = notADirectory.resolve("trajectories.parquet");
        IOException e = assertThrows(IOException.class, () -> TrajectoryTable.writeParquet(rows(), parquet));
        assertTrue(e.getMessage().startsWith(parquet + ": cannot write the Parquet trajectories"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(List.of(notADirectory), files(temp));
    }
}
