package io.github.mtasts.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.benchmarks.load.PostfixLogGenerator.Event;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest stages over generated logs: what the collector makes of each generated event. */
class IngestBenchmarkTest {

    private final IngestBenchmark bench = new IngestBenchmark(Instant.parse("2026-11-30T00:00:00Z"));

    @Test
    void everyGeneratedLineIsAPostfixSyslogLine() {
        StringBuilder log = new StringBuilder();
        PostfixLogGenerator.generate(5_000, 11, log);
        List<String> lines = log.toString().lines().toList();

        assertThat(bench.parseOnly(lines)).isEqualTo(new IngestBenchmark.ParseCounts(lines.size(), 0));
    }

    @Test
    void eachGeneratedEventIsClassifiedAsItsResultType() {
        StringBuilder log = new StringBuilder();
        Map<Event, Long> events = PostfixLogGenerator.generate(30_000, 5, log);

        IngestBenchmark.Classified classified = bench.parseAndClassify(log.toString().lines().toList());

        assertThat(classified.sessions()).containsExactlyInAnyOrderEntriesOf(Map.of(
                ResultType.SUCCESS, events.get(Event.VERIFIED_DELIVERY) + events.get(Event.TRUSTED_DELIVERY),
                ResultType.STARTTLS_NOT_SUPPORTED, events.get(Event.STARTTLS_NOT_OFFERED),
                ResultType.CERTIFICATE_HOST_MISMATCH, events.get(Event.HOSTNAME_MISMATCH),
                ResultType.CERTIFICATE_EXPIRED, events.get(Event.EXPIRED_CERTIFICATE),
                ResultType.CERTIFICATE_NOT_TRUSTED, events.get(Event.SELF_SIGNED_CERTIFICATE),
                ResultType.VALIDATION_FAILURE, events.get(Event.HANDSHAKE_FAILURE)));
        assertThat(classified.reusedConnections()).isEqualTo(events.get(Event.REUSED_CONNECTION));
    }

    @Test
    void intoSqliteCountsEveryGeneratedSessionAgainstItsPolicy(@TempDir Path dir) throws Exception {
        StringBuilder log = new StringBuilder();
        Map<Event, Long> events = PostfixLogGenerator.generate(20_000, 8, log);
        Path file = Files.writeString(dir.resolve("maillog"), log);

        IngestBenchmark.Stored stored = bench.intoSqlite(file, dir.resolve("store.db"));

        long lines = log.toString().lines().count();
        assertThat(stored.parsedLines()).isEqualTo(lines);
        assertThat(stored.successes()).isEqualTo(events.get(Event.VERIFIED_DELIVERY) + events.get(Event.TRUSTED_DELIVERY));
        assertThat(stored.failures()).isEqualTo(events.get(Event.STARTTLS_NOT_OFFERED) + events.get(Event.HOSTNAME_MISMATCH)
                + events.get(Event.EXPIRED_CERTIFICATE) + events.get(Event.SELF_SIGNED_CERTIFICATE)
                + events.get(Event.HANDSHAKE_FAILURE));
    }
}
