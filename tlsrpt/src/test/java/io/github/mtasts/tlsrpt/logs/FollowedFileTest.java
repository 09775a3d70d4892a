package io.github.mtasts.tlsrpt.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Real files in a temporary directory, rotated the way logrotate does it. */
class FollowedFileTest {
    @TempDir
    Path dir;

    private final List<SourceLine> lines = new ArrayList<>();

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private List<String> texts() {
        return lines.stream().map(SourceLine::text).toList();
    }

    @Test
    void readsFromTheStoredOffset() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "first\nsecond\nthird\n");
        try (FollowedFile file = new FollowedFile(log, 6, 1024)) {
            file.readAvailable(lines::add);
            assertThat(texts()).containsExactly("second", "third");
            assertThat(file.committedOffset()).isEqualTo(19);
            assertThat(file.id()).isEqualTo(FollowedFile.idOf(log));
            assertThat(file.id().key()).contains("#ino=" + SourceId.inode(log));
        }
    }

    @Test
    void partialLastLineIsNotConsumedUntilComplete() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "done\nhalf");
        try (FollowedFile file = new FollowedFile(log, 0, 1024)) {
            file.poll(lines::add);
            assertThat(texts()).containsExactly("done");
            assertThat(file.committedOffset()).isEqualTo(5);

            append(log, " more\n");
            file.poll(lines::add);
            assertThat(texts()).containsExactly("done", "half more");
            assertThat(lines.get(1).endOffset()).isEqualTo(15);
        }
        // A restart at the committed offset of a run that stopped mid-line sees the line whole.
        lines.clear();
        try (FollowedFile file = new FollowedFile(log, 5, 1024)) {
            file.readAvailable(lines::add);
            assertThat(texts()).containsExactly("half more");
        }
    }

    @Test
    void renameRotationFinishesTheOldFileThenReadsTheNewOneFromStart() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "a1\n");
        try (FollowedFile file = new FollowedFile(log, 0, 1024)) {
            file.poll(lines::add);
            SourceId before = file.id();

            // The writer still holds the old file: lines written after the rename land in mail.log.1.
            Path rotated = dir.resolve("mail.log.1");
            Files.move(log, rotated);
            append(rotated, "a2\na3-unterminated");
            file.poll(lines::add);
            assertThat(texts()).as("path missing: keep reading the old file").containsExactly("a1", "a2");

            append(log, "b1\nb2\n");
            file.poll(lines::add);

            assertThat(texts()).containsExactly("a1", "a2", "a3-unterminated", "b1", "b2");
            assertThat(lines.get(2).source()).isEqualTo(before);
            assertThat(lines.get(3).source()).isEqualTo(file.id()).isNotEqualTo(before);
            assertThat(lines.get(4).endOffset()).isEqualTo(6);
        }
    }

    @Test
    void copytruncateRestartsAtZero() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "old line one\nold line two\n");
        try (FollowedFile file = new FollowedFile(log, 0, 1024)) {
            file.poll(lines::add);
            Files.copy(log, dir.resolve("mail.log.1"));
            try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
            append(log, "new\n");
            file.poll(lines::add);

            assertThat(texts()).containsExactly("old line one", "old line two", "new");
            assertThat(lines.get(2).endOffset()).isEqualTo(4);
            assertThat(lines.get(2).source()).isEqualTo(lines.get(0).source());
        }
    }

    @Test
    void fileTruncatedAndRewrittenPastTheOldOffsetBetweenPollsIsReadAgainFromItsStart() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "old line one\nold line two\n");
        AtomicInteger restarts = new AtomicInteger();
        try (FollowedFile file = new FollowedFile(log, 0, 1024)) {
            file.poll(lines::add, restarts::incrementAndGet);
            // truncated and rewritten longer than what was read before the next poll: the size alone says nothing
            Files.writeString(log, "new line one\nnew line two\nnew line three\n", StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            file.poll(lines::add, restarts::incrementAndGet);
            file.poll(lines::add, restarts::incrementAndGet);

            assertThat(texts()).containsExactly("old line one", "old line two", "new line one", "new line two",
                    "new line three");
            assertThat(restarts).hasValue(1);
            assertThat(file.committedOffset()).isEqualTo(Files.size(log));
        }
    }

    @Test
    void fingerprintIdentifiesTheFileByItsFirstBytesUpToTheOffset() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "first line\nsecond line\n");
        String fingerprint;
        try (FollowedFile file = new FollowedFile(log, 0, 1024)) {
            file.readAvailable(lines::add);
            assertThat(file.fingerprint(file.id(), 0)).isEmpty();
            fingerprint = file.fingerprint(file.id(), 11);
            assertThat(fingerprint).startsWith("sha256:11:")
                    .isEqualTo(FollowedFile.fingerprintOf(log, 11))
                    .isNotEqualTo(file.fingerprint(file.id(), 23));
            assertThat(file.fingerprint(new SourceId("file:/elsewhere#ino=1"), 11)).isEmpty();
        }
        append(log, "appended\n");
        assertThat(FollowedFile.matches(log, fingerprint)).as("grown, same start").isTrue();
        assertThat(FollowedFile.matches(log, "")).as("none stored").isTrue();
        Files.writeString(log, "first lime\nsecond line\nmore\n");
        assertThat(FollowedFile.matches(log, fingerprint)).as("rewritten").isFalse();
        Files.writeString(log, "first");
        assertThat(FollowedFile.matches(log, fingerprint)).as("shorter").isFalse();
    }

    @Test
    void fingerprintCoversAtMostTheFirstKibibyte() throws IOException {
        Path log = dir.resolve("mail.log");
        String line = "x".repeat(99) + "\n";
        append(log, line.repeat(20));
        try (FollowedFile file = new FollowedFile(log, 1500, 1024)) {
            // opened past the fingerprinted bytes, as after a restart: they are read back from the file
            assertThat(file.fingerprint(file.id(), 2000)).startsWith("sha256:1024:")
                    .isEqualTo(FollowedFile.fingerprintOf(log, 1024));
        }
    }

    @Test
    void storedOffsetBeyondTheFileMeansItWasTruncatedMeanwhile() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "short\n");
        try (FollowedFile file = new FollowedFile(log, 10_000, 1024)) {
            file.readAvailable(lines::add);
            assertThat(texts()).containsExactly("short");
        }
    }

    @Test
    void megabyteLineIsSkippedAsOversize() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "before\n" + "z".repeat(1 << 20) + "\nafter\n");
        try (FollowedFile file = new FollowedFile(log, 0, 16 * 1024)) {
            file.readAvailable(lines::add);
        }
        assertThat(lines).extracting(SourceLine::text, SourceLine::oversize).containsExactly(
                org.assertj.core.groups.Tuple.tuple("before", false),
                org.assertj.core.groups.Tuple.tuple("", true),
                org.assertj.core.groups.Tuple.tuple("after", false));
    }

    @Test
    void followPollsUntilToldToStop() throws Exception {
        Path log = dir.resolve("mail.log");
        append(log, "x\n");
        AtomicInteger rounds = new AtomicInteger();
        try (FollowedFile file = new FollowedFile(log, 0, 1024)) {
            file.follow(lines::add, Duration.ofMillis(1), () -> {
                if (rounds.incrementAndGet() == 2) {
                    try {
                        append(log, "y\n");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return rounds.get() <= 3;
            });
        }
        assertThat(texts()).containsExactly("x", "y");
    }

    @Test
    void restartAfterRotationFindsTheRenamedFileByInodeAndFinishesIt() throws IOException {
        Path log = dir.resolve("mail.log");
        append(log, "seen\nunseen\n");
        long storedInode = SourceId.inode(log);
        long storedOffset = 5;
        Files.move(log, dir.resolve("mail.log.1"));
        append(log, "fresh\n");
        Files.writeString(dir.resolve("mail.log.2.gz"), "not this one");

        Path predecessor = FollowedFile.rotatedPredecessor(log, storedInode).orElseThrow();
        assertThat(predecessor.getFileName().toString()).isEqualTo("mail.log.1");
        try (FollowedFile old = new FollowedFile(predecessor, storedOffset, 1024)) {
            old.readToEnd(lines::add);
        }
        try (FollowedFile current = new FollowedFile(log, 0, 1024)) {
            current.readAvailable(lines::add);
        }
        assertThat(texts()).containsExactly("unseen", "fresh");
        assertThat(FollowedFile.rotatedPredecessor(log, SourceId.inode(log))).isEmpty();
    }
}
