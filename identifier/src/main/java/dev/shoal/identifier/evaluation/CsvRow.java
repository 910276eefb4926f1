package dev.shoal.identifier.evaluation;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One line of a CSV file, with strict typed access: every bad value becomes a one-line
 * {@link BadInputException} naming the file, the line and the column.
 *
 * @param file   the file, for messages
 * @param line   1-based line number in the file
 * @param values the fields, trimmed
 */
record CsvRow(Path file, long line, String[] values) {

    /** Plain decimal numbers only: Double.parseDouble would also take "0x1p3", "1d" or "Infinity". */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** Integers, also written as decimals with a zero fraction ({@code 3.0}), as pandas writes float columns. */
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+(\\.0*)?");

    /** Reads every non-empty line of a CSV file (RFC 4180 quoting) with Jackson's CSV parser. */
    static List<CsvRow> readAll(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": no such file; give the path of a CSV file");
        }
        CsvMapper mapper = new CsvMapper();
        List<CsvRow> rows = new ArrayList<>();
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .with(CsvParser.Feature.SKIP_EMPTY_LINES)
                .with(CsvParser.Feature.TRIM_SPACES)
                .readValues(file.toFile())) {
            while (it.hasNextValue()) {
                String[] values = it.nextValue();
                rows.add(new CsvRow(file, it.getParser().currentTokenLocation().getLineNr(), values));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            throw new BadInputException(file + ": not a readable CSV file (" + firstLine(e.getMessage())
                    + "); check the file", e);
        }
        if (rows.isEmpty()) {
            throw new BadInputException(file + " line 1: empty file; expected CSV lines");
        }
        return rows;
    }

    private static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("");
    }

    /** The raw text of a column, or a bad-input error when the line is too short. */
    String text(int column, String name) {
        if (column >= values.length) {
            throw error(column, name, "missing (the line has " + values.length + " fields)");
        }
        return values[column];
    }

    /** A finite decimal number; NaN (written nan, NaN or left empty) when the value is missing. */
    double numberOrNaN(int column, String name) {
        String value = text(column, name);
        if (value.isEmpty() || value.toLowerCase(Locale.ROOT).equals("nan")) {
            return Double.NaN;
        }
        if (!DECIMAL.matcher(value).matches()) {
            throw error(column, name, "'" + value + "' is not a number");
        }
        return Double.parseDouble(value);
    }

    /** A finite decimal number that must be present. */
    double number(int column, String name) {
        double value = numberOrNaN(column, name);
        if (Double.isNaN(value)) {
            throw error(column, name, "is empty; give a number");
        }
        return value;
    }

    /** A frame index: an integer, 0 or more. */
    long frame(int column, String name) {
        String value = text(column, name);
        if (!INTEGER.matcher(value).matches()) {
            throw error(column, name, "'" + value + "' is not an integer frame index");
        }
        long frame;
        try {
            int point = value.indexOf('.');
            frame = Long.parseLong(point < 0 ? value : value.substring(0, point));
        } catch (NumberFormatException e) {
            throw error(column, name, "'" + value + "' is too large for a frame index");
        }
        if (frame < 0) {
            throw error(column, name, "negative frame " + frame + "; frames must be 0 or more");
        }
        return frame;
    }

    /** A flag written 0/1 or false/true. */
    boolean flag(int column, String name) {
        String value = text(column, name).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw error(column, name, "'" + value + "' is not a flag; write 0 or 1");
        };
    }

    /** An identity label: any non-empty text. */
    String label(int column, String name) {
        String value = text(column, name);
        if (value.isEmpty()) {
            throw error(column, name, "is empty; every row needs an identity");
        }
        return value;
    }

    BadInputException error(int column, String name, String problem) {
        return new BadInputException(file + " line " + line + ", column " + (column + 1) + " (" + name + "): " + problem);
    }
}
