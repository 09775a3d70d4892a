package io.github.mtasts.tlsrpt.logs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@code .gz} backlog file that ends or breaks before its gzip trailer (truncated copy, bad block, wrong CRC, not
 * gzip at all). The lines before the break were delivered; the rest of the file cannot be read.
 */
public final class CorruptGzipException extends IOException {
    private final Path path;

    public CorruptGzipException(Path path, IOException cause) {
        super(path + ": corrupt or truncated gzip file: " + cause.getMessage(), cause);
        this.path = Objects.requireNonNull(path, "path");
    }

    public Path path() {
        return path;
    }
}
