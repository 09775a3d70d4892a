package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.aggregate.PolicyInForce;
import io.github.mtasts.tlsrpt.aggregate.SourceOffset;
import io.github.mtasts.tlsrpt.logs.CorruptGzipException;
import io.github.mtasts.tlsrpt.logs.FollowedFile;
import io.github.mtasts.tlsrpt.logs.LineStats;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.ParseResult;
import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.logs.SourceId;
import io.github.mtasts.tlsrpt.logs.SourceLine;
import io.github.mtasts.tlsrpt.logs.StreamSource;
import io.github.mtasts.tlsrpt.sessions.Evidence;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import io.github.mtasts.tlsrpt.sessions.TlsSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The collector's log path: source lines → parser → session tracker → policy join → batched counters, committed
 * with the read offsets that produced them.
 *
 * <p>Exactly once across {@code kill -9}: a batch's counts, line statistics and offsets are one transaction. A
 * session spans several lines, so the offset stored is a pair (see {@link SourceOffset}): reading resumes at the
 * first line of the oldest connection the tracker still held at the commit, which rebuilds its handshake state;
 * lines up to the committed offset feed the tracker only, and the sessions they complete were counted before.
 * The tracker is deterministic, so the replayed lines rebuild exactly the state the crashed run had.
 *
 * <p>Each source has its own tracker: a connection's lines are in one log. Plain standard input cannot be re-read,
 * so its offsets are not stored, an interrupted stdin run loses its last uncommitted batch and a rerun on the same
 * input counts it twice; the journal read as JSON is resumed by its cursor instead ({@link #importJournal}).
 *
 * <p>One source counts each session. Postfix 3.10+ logs a {@code TLSRPT: status=...} line for every datagram it
 * sends to libtlsrpt; when this host's datagrams are collected ({@code datagramsCollected}: {@code tlsrpt.socket} is
 * set), a session with such a line is the collector's to count, and log ingest leaves it uncounted, unless Postfix
 * logged right after it that the datagram could not be sent ({@link Evidence#TLSRPT_LINE_NOT_SENT}: no collector
 * was listening). Sessions without a {@code TLSRPT:} line (a Postfix without TLSRPT, a domain without a TLSRPT
 * record, a resumed handshake Postfix does not report) are counted from the log as always. With the collector off,
 * the {@code TLSRPT:} lines are the richest classification the log has (result type and failure reason as Postfix
 * reported them) and are counted here.
 * Not thread-safe.
 */
public final class Ingest {
    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
    /** journalctl's JSON of a longest accepted message, with its other fields and bytes written as numbers. */
    private static final int JOURNAL_MAX_LINE_BYTES = 8 * LogLineParser.DEFAULT_MAX_LINE_LENGTH;
    private final AggregateStore store;
    private final PolicyInForce policies;
    private final LogLineParser parser;
    private final Supplier<SessionTracker> trackers;
    private final int batchLines;
    private final Duration batchInterval;
    private final Clock clock;
    private final boolean datagramsCollected;

    public Ingest(AggregateStore store, PolicyInForce policies, LogLineParser parser,
                  Supplier<SessionTracker> trackers, int batchLines, Duration batchInterval, Clock clock,
                  boolean datagramsCollected) {
        this.store = Objects.requireNonNull(store, "store");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.trackers = Objects.requireNonNull(trackers, "trackers");
        if (batchLines < 1) {
            throw new IllegalArgumentException("batchLines must be positive: " + batchLines);
        }
        this.batchLines = batchLines;
        this.batchInterval = Objects.requireNonNull(batchInterval, "batchInterval");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.datagramsCollected = datagramsCollected;
    }

    /**
     * Counts the complete lines of {@code path} not counted yet and commits them. A {@code .gz} file is a rotated
     * backlog read whole (one that breaks off is counted up to the break, then {@link CorruptGzipException} is
     * thrown); of a live file, an unterminated last line and the connections still pending at its end
     * are left for the next run.
     */
    public void importFile(Path path) throws IOException {
        if (path.getFileName().toString().endsWith(".gz")) {
            SourceId id = StreamSource.gzipId(path);
            SourceOffset resume = store.offset(id).orElse(new SourceOffset(0, 0));
            Run run = new Run(id, resume, true, Fingerprints.NONE);
            try {
                StreamSource.readGzip(path, resume.replay(), LogLineParser.DEFAULT_MAX_LINE_LENGTH, run::line);
            } catch (CorruptGzipException e) {
                // Keep what was read before the break, with its offset, as for a live file: a rerun on the same
                // file skips those lines and stops at the same break, so nothing is counted twice. The
                // connections still pending there are not counted: their end is lost with the rest of the file.
                run.end(false);
                throw e;
            }
            run.end(true);
            return;
        }
        Opened opened = open(path);
        try (FollowedFile file = opened.file()) {
            file.readAvailable(opened.run()::line);
            opened.run().end(false);
        }
    }

    /** Counts standard input (or any stream) to its end; nothing is resumed. */
    public void importStream(InputStream in) throws IOException {
        Run run = new Run(SourceId.STDIN, new SourceOffset(0, 0), false, Fingerprints.NONE);
        StreamSource.read(in, SourceId.STDIN, 0, LogLineParser.DEFAULT_MAX_LINE_LENGTH, run::line);
        run.end(true);
    }

    /**
     * Counts {@code journalctl -o json} output read from {@code in} (one entry per line) to its end, resumable: the
     * {@code __CURSOR} of the last entry counted is stored as {@code source}'s offset in the same transaction as the
     * counts, and entries at or before the stored cursor are fed to the session tracker only, never counted again. So
     * a restarted {@code journalctl} that repeats recent entries (it should start early enough to repeat the first
     * lines of the connections still open at the stop) counts each session once. The stored numeric offsets are
     * wall-clock times in microseconds: {@code committed} of the last entry counted, {@code replay} of the first
     * entry of the oldest connection still open, from which a restart should repeat entries. The journal goes on
     * after the stream ends: connections still open then are left to the next run, which sees their end.
     */
    public void importJournal(SourceId source, InputStream in) throws IOException {
        Optional<JournalCursor> after = store.offset(source).map(SourceOffset::cursor).filter(c -> !c.isEmpty())
                .map(JournalCursor::parse);
        Run run = new Run(source, new SourceOffset(0, 0), true, Fingerprints.NONE);
        run.countJournal();
        JournalJson journal = new JournalJson(LogLineParser.DEFAULT_MAX_LINE_LENGTH);
        boolean[] counting = {after.isEmpty()};
        StreamSource.read(in, source, 0, JOURNAL_MAX_LINE_BYTES, line -> {
            JournalJson.Entry entry = line.oversize()
                    ? new JournalJson.Entry(Optional.empty(), new ParseResult.Rejected(RejectReason.OVERSIZE))
                    : journal.parse(line.text());
            // journalctl writes entries in journal order: once past the stored cursor, everything after is new; an
            // entry without a cursor goes with its neighbours, it cannot be placed otherwise
            if (!counting[0] && entry.cursor().isPresent()) {
                counting[0] = entry.cursor().get().isAfter(after.get());
            }
            run.journalEntry(entry, line.text(), counting[0]);
        });
        run.end(false);
    }

    /**
     * Follows live files through rotation while {@code keepGoing} says so, polling every {@code interval} and
     * committing at least every batch interval; pending connections stay pending across the stop.
     */
    public void follow(List<Path> paths, Duration interval, BooleanSupplier keepGoing)
            throws IOException, InterruptedException {
        List<FollowedFile> files = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        try {
            for (Path path : paths) {
                Opened opened = open(path);
                files.add(opened.file());
                runs.add(opened.run());
            }
            while (keepGoing.getAsBoolean()) {
                for (int i = 0; i < files.size(); i++) {
                    files.get(i).poll(runs.get(i)::line, runs.get(i)::restarted);
                    runs.get(i).commitIfDue();
                }
                Thread.sleep(interval.toMillis());
            }
            for (Run run : runs) {
                run.commit(false);
            }
        } finally {
            for (FollowedFile file : files) {
                file.close();
            }
        }
    }

    /**
     * Opens the live file at {@code path} where the last run stopped. When rename rotation replaced it while we
     * were stopped, the rotated file ({@code path.1}, found by its inode) is first read to its end from its stored
     * offsets, with the same tracker, so that neither its last lines nor the connections pending in it are lost;
     * the new file is then read from its start.
     */
    private Opened open(Path path) throws IOException {
        SourceId current = FollowedFile.idOf(path);
        Optional<SourceOffset> stored = store.offset(current);
        if (stored.isEmpty()) {
            String prefix = "file:" + path.toAbsolutePath().normalize() + "#ino=";
            for (Map.Entry<SourceId, SourceOffset> row : store.offsets(prefix).entrySet()) {
                Optional<Path> rotated = inodeOf(row.getKey(), prefix)
                        .flatMap(inode -> rotatedPredecessor(path, inode));
                if (rotated.isPresent() && Files.size(rotated.get()) > row.getValue().committed()
                        && FollowedFile.matches(rotated.get(), row.getValue().fingerprint())) {
                    Path rotatedFile = rotated.get();
                    SourceId rotatedKey = row.getKey();
                    FollowedFile file = new FollowedFile(path, 0, LogLineParser.DEFAULT_MAX_LINE_LENGTH);
                    Run run = new Run(rotatedKey, row.getValue(), true, (id, committed) -> id.equals(rotatedKey)
                            ? FollowedFile.fingerprintOf(rotatedFile, committed) : file.fingerprint(id, committed));
                    try (FollowedFile old = new FollowedFile(rotatedFile, row.getValue().replay(),
                            LogLineParser.DEFAULT_MAX_LINE_LENGTH)) {
                        run.readAs(old.id());
                        old.readToEnd(run::line);
                    } catch (IOException | RuntimeException e) {
                        file.close();
                        throw e;
                    }
                    return new Opened(file, run);
                }
            }
        }
        SourceOffset resume = stored.orElse(new SourceOffset(0, 0));
        if (Files.size(path) < resume.committed() || !FollowedFile.matches(path, resume.fingerprint())) {
            // shorter than what was counted, or starting otherwise: truncated (and maybe rewritten past the old
            // offset) while we were stopped, or a new file that got the old one's inode: a new log
            LOG.info("{}: not the file read up to offset {} before (truncated or replaced): reading it from its start",
                    path, resume.committed());
            resume = new SourceOffset(0, 0);
        }
        FollowedFile file = new FollowedFile(path, resume.replay(), LogLineParser.DEFAULT_MAX_LINE_LENGTH);
        return new Opened(file, new Run(file.id(), resume, true, file::fingerprint));
    }

    private static Optional<Long> inodeOf(SourceId id, String prefix) {
        try {
            return Optional.of(Long.parseLong(id.key().substring(prefix.length())));
        } catch (NumberFormatException notAnInode) {
            return Optional.empty();
        }
    }

    private static Optional<Path> rotatedPredecessor(Path path, long inode) {
        try {
            return FollowedFile.rotatedPredecessor(path, inode);
        } catch (IOException unreadableDirectory) {
            return Optional.empty();
        }
    }

    private record Opened(FollowedFile file, Run run) {
    }

    /** The fingerprint to store with a file's offset (see {@link FollowedFile#fingerprint}). */
    @FunctionalInterface
    private interface Fingerprints {
        Fingerprints NONE = (source, committed) -> "";

        String of(SourceId source, long committed) throws IOException;
    }

    /** The reading of one source: its tracker, its uncommitted batch and where it stands. */
    private final class Run {
        private final SessionTracker tracker = trackers.get();
        private final boolean storeOffsets;
        private final Fingerprints fingerprints;
        private boolean journalCursors;
        /** Of a journal: the cursor of the last entry counted, null before one is. */
        private String cursor;
        private SourceId source;
        /** A rotated file whose lines continue {@link #source}, stored under the name it had when read. */
        private SourceId readAs;
        /** Lines ending at or before this were counted by an earlier run: replayed into the tracker only. */
        private long countedUpTo;
        private long lineStart;
        private long committed;
        private AggregateBatch batch = new AggregateBatch();
        private int batchLineCount;
        private long batchStartedMillis;

        Run(SourceId source, SourceOffset resume, boolean storeOffsets, Fingerprints fingerprints) {
            this.source = source;
            this.storeOffsets = storeOffsets;
            this.fingerprints = fingerprints;
            this.countedUpTo = resume.committed();
            this.lineStart = resume.replay();
            this.committed = resume.committed();
            this.batchStartedMillis = clock.millis();
        }

        void readAs(SourceId rotatedFile) {
            this.readAs = rotatedFile;
        }

        /** Offsets of this source are journal cursors (see {@link #importJournal}); lines are numbered from 1. */
        void countJournal() {
            journalCursors = true;
            countedUpTo = -1;
        }

        /**
         * One journal entry; not {@code counted} when at or before the stored cursor: it only rebuilds the state of
         * the connections it belongs to.
         */
        void journalEntry(JournalJson.Entry entry, String text, boolean counted) {
            // a journal's positions are its entries' wall-clock times (microseconds): the replay offset stored then
            // says from when a restarted journalctl must repeat entries to rebuild the connections still open
            entry.cursor().ifPresent(c -> lineStart = Math.max(0, c.realtime()));
            process(entry.result(), text, !counted);
            if (counted) {
                committed = lineStart;
                entry.cursor().ifPresent(c -> cursor = c.text());
                batchLineCount++;
                commitIfDue();
            }
        }

        /** The file was rewritten in place and is read again from 0: nothing read before applies to it. */
        void restarted() {
            lineStart = 0;
            committed = 0;
            countedUpTo = -1;
        }

        private SourceOffset offset(long replay) {
            try {
                return new SourceOffset(committed, replay, fingerprints.of(source, committed), "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void line(SourceLine line) {
            SourceId lineSource = line.source().equals(readAs) ? source : line.source();
            if (!lineSource.equals(source)) {
                // rename rotation: the old file was read to its end; the new one starts at 0
                if (storeOffsets && countedUpTo < 0) {
                    batch.offset(source, offset(committed));
                }
                source = lineSource;
                lineStart = 0;
                committed = 0;
                countedUpTo = -1;
            } else if (line.endOffset() <= lineStart) {
                // copytruncate: the same file restarted at 0
                lineStart = 0;
                countedUpTo = -1;
            }
            boolean replayOnly = line.endOffset() <= countedUpTo;
            if (!replayOnly) {
                countedUpTo = -1;
            }
            process(line, replayOnly);
            lineStart = line.endOffset();
            if (!replayOnly) {
                committed = line.endOffset();
                batchLineCount++;
                commitIfDue();
            }
        }

        private void process(SourceLine line, boolean replayOnly) {
            ParseResult result = line.oversize()
                    ? new ParseResult.Rejected(RejectReason.OVERSIZE) : parser.parse(line.text());
            process(result, line.text(), replayOnly);
        }

        private void process(ParseResult result, String text, boolean replayOnly) {
            if (result instanceof ParseResult.Parsed parsed) {
                if (!replayOnly) {
                    batch.parsedLine();
                }
                tracker.accept(parsed.line(), lineStart, session -> {
                    if (!replayOnly) {
                        count(session);
                    }
                });
            } else if (!replayOnly) {
                batch.rejectedLine(((ParseResult.Rejected) result).reason(), LineStats.printable(text));
            }
        }

        private void count(TlsSession session) {
            if (datagramsCollected && session.evidence() == Evidence.TLSRPT_LINE) {
                batch.uncountedSession();
                return;
            }
            policies.judge(session).ifPresentOrElse(batch::add, batch::uncountedSession);
        }

        void commitIfDue() {
            boolean due = batchLineCount >= batchLines
                    || clock.millis() - batchStartedMillis >= batchInterval.toMillis();
            if (due && (batchLineCount > 0 || !batch.isEmpty())) {
                commit(false);
            }
        }

        /**
         * Stores the batch with the offsets it reached. Not while replaying lines counted before (unless the source
         * ends there): the tracker's state is only partly rebuilt and the committed offset must not move back.
         */
        void commit(boolean ending) {
            if (countedUpTo >= 0 && !ending) {
                batchStartedMillis = clock.millis();
                return;
            }
            if (storeOffsets && journalCursors) {
                if (cursor != null) {
                    long replay = Math.min(tracker.oldestPendingOffset(), committed);
                    batch.offset(source, new SourceOffset(committed, replay, "", cursor));
                }
            } else if (storeOffsets) {
                long replay = Math.min(tracker.oldestPendingOffset(), committed);
                batch.offset(source, offset(replay));
            }
            if (!batch.isEmpty()) {
                store.commit(batch);
            }
            batch = new AggregateBatch();
            batchLineCount = 0;
            batchStartedMillis = clock.millis();
        }

        /**
         * This run is done with the source; everything read is committed. A source that has {@code ended} (a gzip
         * backlog, a closed stream) will get no more lines, so pending TLSRPT verdicts are emitted and counted now
         * (never before: a commit leaves pending connections to be replayed). A live file keeps its pending
         * connections for the next run, which replays them from the stored offset.
         */
        void end(boolean ended) {
            if (ended) {
                tracker.finish(this::count);
            }
            commit(true);
        }
    }
}
