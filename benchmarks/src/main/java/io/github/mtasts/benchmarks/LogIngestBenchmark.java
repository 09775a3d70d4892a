package io.github.mtasts.benchmarks;

import io.github.mtasts.benchmarks.load.PostfixLogGenerator;
import io.github.mtasts.tlsrpt.logs.LogLineParser;
import io.github.mtasts.tlsrpt.logs.ParseResult;
import io.github.mtasts.tlsrpt.sessions.SessionTracker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The collector's log path per line, over a generated maillog (the same generator as {@code bench gen-logs}):
 * syslog line parsing, and parsing + session classification. Scores are lines per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class LogIngestBenchmark {

    private static final int LINES = 100_000;

    private List<String> lines;
    private LogLineParser parser;

    @Setup
    public void setUp() {
        StringBuilder log = new StringBuilder();
        PostfixLogGenerator.generate(LINES, 1, log);
        lines = log.toString().lines().limit(LINES).toList();
        parser = new LogLineParser(ZoneOffset.UTC, Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC));
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void parse(Blackhole sink) {
        for (String line : lines) {
            sink.consume(parser.parse(line));
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void parseAndClassify(Blackhole sink) {
        SessionTracker tracker = new SessionTracker(session -> false, 10_000, Duration.ofMinutes(10));
        for (String line : lines) {
            if (parser.parse(line) instanceof ParseResult.Parsed parsed) {
                tracker.accept(parsed.line(), sink::consume);
            }
        }
        tracker.finish(sink::consume);
    }
}
