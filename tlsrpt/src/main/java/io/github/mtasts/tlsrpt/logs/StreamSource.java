package io.github.mtasts.tlsrpt.logs;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Sources read once from start to end: standard input ({@code -}, e.g. {@code journalctl -f} piped in, which
 * blocks while waiting for more) and rotated {@code .gz} backlog files. Their last line needs no newline:
 * the stream has ended, so it is complete.
 */
public final class StreamSource {
    private static final int BUFFER_SIZE = 64 * 1024;

    private StreamSource() {
    }

    /** Reads {@code in} to its end, skipping the first {@code skipBytes} bytes (an already counted prefix). */
    public static void read(InputStream in, SourceId id, long skipBytes, int maxLineBytes, Consumer<SourceLine> out)
            throws IOException {
        in.skipNBytes(skipBytes);
        LineFramer framer = new LineFramer(id, maxLineBytes, skipBytes);
        byte[] buffer = new byte[BUFFER_SIZE];
        int read;
        while ((read = in.read(buffer)) > 0) {
            framer.feed(buffer, 0, read, out);
        }
        framer.flushPartial(out);
    }

    /** The identity of a gzip backlog file: path, inode and size, since it is imported whole. */
    public static SourceId gzipId(Path path) throws IOException {
        return SourceId.ofGzip(path, SourceId.inode(path), Files.size(path));
    }

    /**
     * Imports a rotated gzip file; offsets count uncompressed bytes. A file that breaks before its end delivers its
     * complete lines up to the break, never the cut line there, then throws {@link CorruptGzipException}.
     */
    public static void readGzip(Path path, long skipBytes, int maxLineBytes, Consumer<SourceLine> out)
            throws IOException {
        SourceId id = gzipId(path);
        InputStream file = Files.newInputStream(path);
        try (InputStream in = new GZIPInputStream(file, BUFFER_SIZE)) {
            read(in, id, skipBytes, maxLineBytes, out);
        } catch (ZipException | EOFException corrupt) {
            // ZipException: bad header, block or CRC; EOFException: the file stops inside the stream
            throw new CorruptGzipException(path, corrupt);
        } finally {
            file.close();
        }
    }
}
