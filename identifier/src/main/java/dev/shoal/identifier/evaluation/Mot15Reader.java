package dev.shoal.identifier.evaluation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a MOTChallenge 2015 box file: no header, one box per line,
 * {@code frame,id,left,top,width,height[,conf,x,y,z]}; fields after the sixth are ignored. Frames
 * are kept as written (MOT15 counts from 1).
 */
public final class Mot15Reader {

    private static final String[] COLUMNS = {"frame", "id", "left", "top", "width", "height"};

    private Mot15Reader() {
    }

    public static FrameSeries<BoxObservation> read(Path file) {
        NavigableMap<Long, List<BoxObservation>> frames = new TreeMap<>();
        Map<String, Integer> identityIndex = new HashMap<>();
        List<String> identities = new ArrayList<>();
        Map<Long, Set<Integer>> seen = new HashMap<>();
        for (CsvRow row : CsvRow.readAll(file)) {
            long frame = row.frame(0, COLUMNS[0]);
            String label = row.label(1, COLUMNS[1]);
            double left = row.number(2, COLUMNS[2]);
            double top = row.number(3, COLUMNS[3]);
            double width = row.number(4, COLUMNS[4]);
            double height = row.number(5, COLUMNS[5]);
            if (width < 0 || height < 0) {
                throw row.error(width < 0 ? 4 : 5, width < 0 ? COLUMNS[4] : COLUMNS[5],
                        "negative box size; width and height must be 0 or more");
            }
            int identity = identityIndex.computeIfAbsent(label, l -> {
                identities.add(l);
                return identities.size() - 1;
            });
            if (!seen.computeIfAbsent(frame, f -> new HashSet<>()).add(identity)) {
                throw row.error(1, COLUMNS[1], "id '" + label + "' appears twice in frame " + frame
                        + "; keep one box per id and frame");
            }
            frames.computeIfAbsent(frame, f -> new ArrayList<>()).add(new BoxObservation(identity, left, top, width, height));
        }
        return new FrameSeries<>(file.toString(), frames, List.copyOf(identities));
    }
}
