package io.github.mtasts.tlsrpt.logs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A live log file read from a byte offset, surviving rotation while followed:
 * <ul>
 *   <li>rename rotation (logrotate's default, newsyslog): the path gets a new inode; the old file is read to
 *       its end first (its unterminated last line, if any, is complete now), then the new file from 0;</li>
 *   <li>copytruncate: the same inode shrinks below what was read; reading restarts at 0 (lines written
 *       between logrotate's copy and its truncate are lost, inherent to copytruncate);</li>
 *   <li>a missing path (rotated, not yet recreated): the open file keeps being read until a new one appears.</li>
 * </ul>
 * A partial last line is never delivered while the file may still grow: its offset is not committed.
 * Not thread-safe.
 */
public final class FollowedFile implements Closeable {
    private static final int BUFFER_SIZE = 64 * 1024;

    private final Path path;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private FileChannel channel;
    private long inode;
    private LineFramer framer;

    /**
     * Opens {@code path} at {@code startOffset}, the committed offset stored for {@link #id()}; pass 0 for a
     * file never read. An offset beyond the file's size means it was truncated meanwhile: start at 0.
     */
    public FollowedFile(Path path, long startOffset, int maxLineBytes) throws IOException {
        this.path = Objects.requireNonNull(path, "path");
        if (startOffset < 0) {
            throw new IllegalArgumentException("startOffset must not be negative: " + startOffset);
        }
        this.maxLineBytes = maxLineBytes;
        open(startOffset);
    }

    /** The identity of the file currently read; changes after a rename rotation. */
    public SourceId id() {
        return SourceId.ofFile(path, inode);
    }

    /** The identity {@code path} has now, before opening it: to look up a stored offset. */
    public static SourceId idOf(Path path) throws IOException {
        return SourceId.ofFile(path, SourceId.inode(path));
    }

    /**
     * After a restart, the file a stored offset belongs to when rotation renamed it meanwhile: the sibling of
     * {@code path} named {@code path.*} (not compressed) that still has {@code inode}. The caller reads it to
     * its end from the stored offset, then {@code path} from 0, so no line is lost across the restart.
     */
    public static Optional<Path> rotatedPredecessor(Path path, long inode) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        String prefix = path.getFileName() + ".";
        try (Stream<Path> siblings = Files.list(dir)) {
            return siblings
                    .filter(sibling -> sibling.getFileName().toString().startsWith(prefix))
                    .filter(sibling -> !sibling.getFileName().toString().endsWith(".gz"))
                    .filter(sibling -> hasInode(sibling, inode))
                    .findFirst();
        }
    }

    private static boolean hasInode(Path file, long inode) {
        try {
            return Files.isRegularFile(file) && SourceId.inode(file) == inode;
        } catch (IOException vanished) {
            return false;
        }
    }

    /** Reads the file to its end including an unterminated last line: it is a rotated file, done growing. */
    public void readToEnd(Consumer<SourceLine> out) throws IOException {
        readAvailable(out);
        framer.flushPartial(out);
    }

    /** The offset after the last complete line delivered from the current file. */
    public long committedOffset() {
        return framer.committedOffset();
    }

    /**
     * Reads the complete lines available now without following rotation: a batch run stops here and leaves
     * an unterminated last line for the next run.
     */
    public void readAvailable(Consumer<SourceLine> out) throws IOException {
        while (true) {
            buffer.clear();
            int read = channel.read(buffer);
            if (read <= 0) {
                return;
            }
            framer.feed(buffer.array(), 0, read, out);
        }
    }

    /** One follow step: reads what is available, then checks the path for rotation and acts on it. */
    public void poll(Consumer<SourceLine> out) throws IOException {
        readAvailable(out);
        long currentInode;
        long size;
        try {
            currentInode = SourceId.inode(path);
            size = Files.size(path);
        } catch (NoSuchFileException rotatedNotRecreated) {
            return;
        }
        if (currentInode != inode) {
            readAvailable(out);
            framer.flushPartial(out);
            channel.close();
            open(0);
            readAvailable(out);
        } else if (size < framer.position()) {
            channel.position(0);
            framer.reset(0);
            readAvailable(out);
        }
    }

    /** Polls every {@code interval} while {@code keepGoing} says so. */
    public void follow(Consumer<SourceLine> out, Duration interval, BooleanSupplier keepGoing)
            throws IOException, InterruptedException {
        while (keepGoing.getAsBoolean()) {
            poll(out);
            Thread.sleep(interval.toMillis());
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void open(long startOffset) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.READ);
        inode = SourceId.inode(path);
        long offset = startOffset <= channel.size() ? startOffset : 0;
        channel.position(offset);
        framer = new LineFramer(SourceId.ofFile(path, inode), maxLineBytes, offset);
    }
}
