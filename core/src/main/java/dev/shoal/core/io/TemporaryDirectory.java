package dev.shoal.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A directory that lives as long as one run: created with a unique name, deleted with everything in it on close. */
public final class TemporaryDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TemporaryDirectory.class);

    private final Path path;

    private TemporaryDirectory(Path path) {
        this.path = path;
    }

    /** A new, empty directory {@code parent/prefix<unique>}; {@code parent} is created if needed. */
    public static TemporaryDirectory create(Path parent, String prefix) throws IOException {
        Files.createDirectories(parent);
        return new TemporaryDirectory(Files.createTempDirectory(parent, prefix));
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        deleteTree(path);
    }

    /** Deletes {@code dir} and everything below it; what cannot be deleted is logged, not thrown. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.toString());
        }
    }
}
