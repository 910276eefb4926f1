package dev.shoal.identifier.evaluation;

import dev.shoal.core.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads per-frame animal positions from a CSV file with a header line: the arena truth, shoal's
 * trajectories.csv, or any CSV whose columns are named by {@link PointColumns} (e.g. SLEAP exports
 * with {@code track_id, thorax_x, thorax_y}). Rows whose x or y is NaN or empty are missing
 * animals and are skipped; other columns are ignored. In shoal's own trajectories.csv (it has
 * {@code fragment} and {@code interpolated} columns) identity 0 marks a position no identity was
 * given to, so those rows are skipped too. One identity twice in a frame is bad input.
 */
public final class PointSeriesReader {

    private PointSeriesReader() {
    }

    public static FrameSeries<PointObservation> read(Path file, PointColumns columns) {
        List<CsvRow> rows = CsvRow.readAll(file);
        CsvRow header = rows.get(0);
        List<String> names = Arrays.asList(header.values());
        int frameCol = require(header, names, columns.frame(), columns.optionPrefix() + "-frame");
        int idCol = require(header, names, columns.identity(), columns.optionPrefix() + "-id");
        int xCol = require(header, names, columns.x(), columns.optionPrefix() + "-x");
        int yCol = require(header, names, columns.y(), columns.optionPrefix() + "-y");
        int touchingCol = columns.touching() == null ? names.indexOf("touching")
                : require(header, names, columns.touching(), columns.optionPrefix() + "-touching");
        String touchingName = touchingCol < 0 ? null : names.get(touchingCol);
        boolean shoalTrajectories = names.contains("fragment") && names.contains("interpolated");

        NavigableMap<Long, List<PointObservation>> frames = new TreeMap<>();
        Map<String, Integer> identityIndex = new HashMap<>();
        List<String> identities = new ArrayList<>();
        Map<Long, Set<Integer>> seen = new HashMap<>();
        for (CsvRow row : rows.subList(1, rows.size())) {
            long frame = row.frame(frameCol, columns.frame()) - columns.firstFrame();
            if (frame < 0) {
                throw row.error(frameCol, columns.frame(), "frame " + (frame + columns.firstFrame())
                        + " comes before the first frame, " + columns.firstFrame() + "; say where the file's frames start");
            }
            String label = row.label(idCol, columns.identity());
            double x = row.numberOrNaN(xCol, columns.x());
            double y = row.numberOrNaN(yCol, columns.y());
            boolean touching = touchingCol >= 0 && row.flag(touchingCol, touchingName);
            if (Double.isNaN(x) || Double.isNaN(y) || shoalTrajectories && label.equals("0")) {
                continue;
            }
            int identity = identityIndex.computeIfAbsent(label, l -> {
                identities.add(l);
                return identities.size() - 1;
            });
            if (!seen.computeIfAbsent(frame, f -> new HashSet<>()).add(identity)) {
                throw row.error(idCol, columns.identity(), "identity '" + label + "' appears twice in frame "
                        + frame + "; keep one row per identity and frame");
            }
            frames.computeIfAbsent(frame, f -> new ArrayList<>()).add(new PointObservation(identity, x, y, touching));
        }
        return new FrameSeries<>(file.toString(), frames, List.copyOf(identities));
    }

    private static int require(CsvRow header, List<String> names, String column, String option) {
        int index = names.indexOf(column);
        if (index < 0) {
            throw new BadInputException(header.file() + " line " + header.line() + ": no column '" + column
                    + "' in the header " + names + "; name the right one with " + option);
        }
        return index;
    }
}
