package io.github.mtasts.tlsrpt.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The identity under which read offsets are stored: a live file is its path and inode (a rotated-away file
 * keeps its inode, a new file at the same path gets another), a gzip backlog file also its size (it is read
 * once, whole), standard input a fixed name (plain text: its offsets only count lines, they cannot be resumed;
 * the journal as JSON: resumed by the journal's cursor).
 */
public record SourceId(String key) {
    public static final SourceId STDIN = new SourceId("stdin:-");
    /** {@code journalctl -o json} on standard input: its offset is the journal cursor, so it can be resumed. */
    public static final SourceId JOURNAL_STDIN = new SourceId("journal:stdin");

    public SourceId {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("source key must not be blank");
        }
    }

    public static SourceId ofFile(Path path, long inode) {
        return new SourceId("file:" + path.toAbsolutePath().normalize() + "#ino=" + inode);
    }

    public static SourceId ofGzip(Path path, long inode, long size) {
        return new SourceId("gzip:" + path.toAbsolutePath().normalize() + "#ino=" + inode + "#size=" + size);
    }

    /** The inode of {@code path}, following symbolic links; needs a Unix file system. */
    public static long inode(Path path) throws IOException {
        Object ino = Files.getAttribute(path, "unix:ino");
        return ((Number) ino).longValue();
    }
}
