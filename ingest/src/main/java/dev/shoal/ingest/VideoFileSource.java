package dev.shoal.ingest;

import dev.shoal.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A video file (any container and codec FFmpeg reads) as a finite source with back-pressure. */
public final class VideoFileSource extends FFmpegSource {

    private final Path path;

    private VideoFileSource(Path path, FFmpegInput input) {
        super(input, start(input));
        this.path = path;
    }

    /** Opens {@code path}; a missing file or one with no decodable video stream is bad input. */
    public static VideoFileSource open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new BadInputException(path + ": no such file; give the path of a video file");
        }
        if (!Files.isReadable(path)) {
            throw new BadInputException(path + ": not readable; check its permissions");
        }
        return new VideoFileSource(path, FFmpegInput.file(path));
    }

    public Path path() {
        return path;
    }
}
