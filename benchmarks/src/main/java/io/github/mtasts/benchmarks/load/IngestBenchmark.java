package io.github.mtasts.benchmarks.load;

import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.DaneDestinations;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.PolicyInForce;
import io.github.mtasts.tlsrpt.aggregate.SendingMtaIps;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.ingest.Ingest;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.ParseResult;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The two stages of the collector's log path that {@code bench ingest} times, over lines already in memory so that
 * the figure is the parser's and the tracker's, not the disk's: parse only, and parse + session classification.
 */
public final class IngestBenchmark {

    /** Policies in force for the generated domains, so that the store counts every session (RFC 8460 §4.2). */
    private static final Instant SERVED_FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant SERVED_UNTIL = Instant.parse("2027-01-01T00:00:00Z");

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

    /** What {@link #intoSqlite} committed, and how long the import took (the policy seeding not included). */
    public record Stored(long parsedLines, long successes, long failures, long importNanos) {
    }

    /**
     * The collector's whole path into a fresh SQLite database: parse, classify, judge against the policy in force,
     * commit counters and offset in batches, as {@code mtasts tlsrpt ingest} does. The generated domains are first
     * recorded as serving an enforce policy whose mx pattern matches their MX hosts.
     */
    public Stored intoSqlite(Path log, Path database) throws IOException, PolicySyntaxException {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database);
             SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            for (String domain : PostfixLogGenerator.policyDomains()) {
                policies.policyServed(domain, StsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: *." + domain
                        + "\r\nmax_age: 604800\r\n"), SERVED_FROM, SERVED_UNTIL);
            }
            Ingest ingest = new Ingest(store,
                    new PolicyInForce(policies::servedPolicies, policies::discoveryFailures, PolicyOverrides.NONE,
                            DaneDestinations.NONE,
                            new SendingMtaIps(List.of()),
                            Clock.systemUTC(), Duration.ofMinutes(1)),
                    parser, () -> new SessionTracker(session -> false, MAX_PROCESSES, MAX_IDLE),
                    TlsrptConfig.DEFAULT_BATCH_LINES, TlsrptConfig.DEFAULT_BATCH_INTERVAL, Clock.systemUTC(), false);
            long start = System.nanoTime();
            ingest.importFile(log);
            long importNanos = System.nanoTime() - start;
            long successes = 0;
            long failures = 0;
            for (LocalDate day = LocalDate.of(2026, 11, 29); day.isBefore(LocalDate.of(2026, 12, 2)); day = day.plusDays(1)) {
                for (DomainDay counts : store.day(day)) {
                    successes += counts.successes();
                    failures += counts.failures();
                }
            }
            return new Stored(store.stats().parsedLines(), successes, failures, importNanos);
        }
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
