package io.github.mtasts.tlsrpt.logs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
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
 *   <li>truncated and rewritten past the old offset before a poll saw it shorter: its first bytes (up to
 *       {@link #FINGERPRINT_BYTES}) no longer are those read; reading restarts at 0, as for copytruncate;</li>
 *   <li>a missing path (rotated, not yet recreated): the open file keeps being read until a new one appears.</li>
 * </ul>
 * A partial last line is never delivered while the file may still grow: its offset is not committed.
 * Not thread-safe.
 */
public final class FollowedFile implements Closeable {
    /**
     * How many of a file's first bytes identify it beside its inode: a few syslog lines, whose timestamps (and
     * queue ids and pids) make two logs' starts differ. A rewritten file that starts with exactly the same bytes
     * cannot be told from the one read.
     */
    public static final int FINGERPRINT_BYTES = 1024;
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final Path path;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private FileChannel channel;
    private long inode;
    private LineFramer framer;
    /** The first {@code min(FINGERPRINT_BYTES, position)} bytes of the file read, as they were when read. */
    private byte[] head = new byte[0];
    /** The file read before the last rename rotation, whose offset may still have to be stored. */
    private SourceId previousId;
    private byte[] previousHead = new byte[0];

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

    /**
     * The fingerprint of file {@code id} (the one read now, or the one read before the last rotation) to store with
     * offset {@code committed}: a hash of its first {@code min(FINGERPRINT_BYTES, committed)} bytes, with their
     * count; empty for offset 0, which needs none, and for a file this reader does not know.
     */
    public String fingerprint(SourceId id, long committed) throws IOException {
        if (id.equals(id())) {
            refreshHead();
            return fingerprint(head, committed);
        }
        return id.equals(previousId) ? fingerprint(previousHead, committed) : "";
    }

    /**
     * Whether the file at {@code path} still starts with the bytes {@code fingerprint} was taken of: false when it
     * is shorter or starts otherwise (truncated and rewritten, or a new file with a recycled inode). An empty
     * fingerprint (none was stored) matches.
     */
    public static boolean matches(Path path, String fingerprint) throws IOException {
        if (fingerprint.isEmpty()) {
            return true;
        }
        String[] parts = fingerprint.split(":");
        if (parts.length != 3 || !parts[0].equals("sha256")) {
            return false;
        }
        int length = Integer.parseInt(parts[1]);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            byte[] start = readHead(channel, length);
            return start.length == length && fingerprint(start, length).equals(fingerprint);
        }
    }

    /** The fingerprint of the file at {@code path} for offset {@code committed}: of a file no longer growing. */
    public static String fingerprintOf(Path path, long committed) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return fingerprint(readHead(channel, (int) Math.min(FINGERPRINT_BYTES, committed)), committed);
        }
    }

    private static String fingerprint(byte[] head, long committed) {
        int length = (int) Math.min(FINGERPRINT_BYTES, committed);
        if (length == 0 || head.length < length) {
            return "";
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(head, 0, length);
            return "sha256:" + length + ":" + HEX.formatHex(sha256.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Up to {@code length} bytes from the start of {@code channel}, without moving its position. */
    private static byte[] readHead(FileChannel channel, int length) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(length);
        while (start.hasRemaining() && channel.read(start, start.position()) > 0) {
            // positional reads until full or at the end
        }
        return Arrays.copyOf(start.array(), start.position());
    }

    /** Keeps {@link #head} covering what was read, until it is full. */
    private void refreshHead() throws IOException {
        int wanted = (int) Math.min(FINGERPRINT_BYTES, framer.position());
        if (head.length < wanted) {
            head = readHead(channel, wanted);
        }
    }

    /** The open file is shorter than what was read, or its start is no longer what was read: it was rewritten. */
    private boolean rewrittenInPlace() throws IOException {
        if (channel.size() < framer.position()) {
            return true;
        }
        return head.length > 0 && !Arrays.equals(readHead(channel, head.length), head);
    }

    private void restartAtZero() throws IOException {
        channel.position(0);
        framer.reset(0);
        head = new byte[0];
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
            refreshHead();
        }
    }

    /** One follow step: reads what is available, then checks the path for rotation and acts on it. */
    public void poll(Consumer<SourceLine> out) throws IOException {
        poll(out, () -> { });
    }

    /**
     * One follow step that tells {@code restarted} when the file read was rewritten in place (truncated, maybe
     * regrown) and is read again from 0, before its first line is delivered.
     */
    public void poll(Consumer<SourceLine> out, Runnable restarted) throws IOException {
        // before reading: at the old position of a rewritten file we would deliver a line cut in two
        if (rewrittenInPlace()) {
            restartAtZero();
            restarted.run();
        }
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
            previousId = id();
            previousHead = head;
            channel.close();
            open(0);
            readAvailable(out);
        } else if (size < framer.position()) {
            restartAtZero();
            restarted.run();
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
        head = new byte[0];
        refreshHead();
    }
}
