package io.github.mtasts.cli.bench;

import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.ParseResult;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The two stages of the collector's log path that {@code bench ingest} times, over lines already in memory so that
 * the figure is the parser's and the tracker's, not the disk's: parse only, and parse + session classification.
 */
public final class IngestBenchmark {

    /** Sessions a process may keep open and how long it may stay silent, as a busy relay's collector would. */
    private static final int MAX_PROCESSES = 10_000;
    private static final Duration MAX_IDLE = Duration.ofMinutes(10);

    private final LogLineParser parser;

    /** Parses timestamps as UTC with {@code now} as the reference for the year syslog leaves out. */
    public IngestBenchmark(Instant now) {
        this.parser = new LogLineParser(ZoneOffset.UTC, Clock.fixed(now, ZoneOffset.UTC));
    }

    /** Lines the parser accepted and rejected. */
    public record ParseCounts(long parsed, long rejected) {
    }

    public ParseCounts parseOnly(List<String> lines) {
        long parsed = 0;
        for (String line : lines) {
            if (parser.parse(line) instanceof ParseResult.Parsed) {
                parsed++;
            }
        }
        return new ParseCounts(parsed, lines.size() - parsed);
    }

    /** Classified sessions by RFC 8460 result type, plus the reused connections the tracker recognised. */
    public record Classified(Map<ResultType, Long> sessions, long reusedConnections) {
    }

    public Classified parseAndClassify(List<String> lines) {
        SessionTracker tracker = new SessionTracker(session -> false, MAX_PROCESSES, MAX_IDLE);
        Map<ResultType, Long> sessions = new EnumMap<>(ResultType.class);
        for (String line : lines) {
            if (parser.parse(line) instanceof ParseResult.Parsed parsed) {
                tracker.accept(parsed.line(), session -> sessions.merge(session.result(), 1L, Long::sum));
            }
        }
        tracker.finish(session -> sessions.merge(session.result(), 1L, Long::sum));
        return new Classified(sessions, tracker.reusedConnections());
    }
}
