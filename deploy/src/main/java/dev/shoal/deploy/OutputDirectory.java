package dev.shoal.deploy;

import dev.shoal.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a command writes its results. */
public final class OutputDirectory {

    private OutputDirectory() {
    }

    /** Creates {@code dir} if needed and proves it writable, or fails naming the option. */
    public static void requireWritable(String option, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".write-check", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new BadInputException(option + " " + dir + ": cannot write there (" + e.getClass().getSimpleName()
                    + "); give a writable directory");
        }
    }
}
