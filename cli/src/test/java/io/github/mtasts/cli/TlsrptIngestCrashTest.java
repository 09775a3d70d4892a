package io.github.mtasts.cli;

import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.IngestStats;
import io.github.mtasts.tlsrpt.aggregate.SourceOffset;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.logs.FollowedFile;
import io.github.mtasts.tlsrpt.logs.SourceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real {@code mtasts tlsrpt ingest}, run as a child JVM, killed with SIGKILL at random points and restarted
 * until done, ends with exactly the counts of one clean run: no line lost, none counted twice.
 */
class TlsrptIngestCrashTest {
    private static final Instant START = Instant.parse("2026-11-28T20:00:00Z");
    private static final int KILLS = 6;

    @TempDir
    Path dir;

    @Test
    void killedAndRestartedIngestCountsExactlyLikeOneCleanRun() throws Exception {
        Path log = Files.writeString(dir.resolve("mail.log"), PostfixLogGenerator.generate(8460, 30_000, START));
        Path cleanDb = dir.resolve("clean.db");
        Path crashedDb = dir.resolve("crashed.db");
        Path cleanConfig = config(cleanDb);
        Path crashedConfig = config(crashedDb);
        servePolicies(cleanDb);
        servePolicies(crashedDb);

        assertThat(run(cleanConfig, log).waitFor(5, TimeUnit.MINUTES)).isTrue();
        String clean = everything(cleanDb);
        assertThat(clean).contains("successes=").contains("CERTIFICATE_EXPIRED").contains("CERTIFICATE_HOST_MISMATCH");

        SourceId source = FollowedFile.idOf(log);
        long size = Files.size(log);
        Random random = new Random(20261129);
        List<Long> killedAt = new ArrayList<>();
        for (int i = 0; i < KILLS; i++) {
            long before = committed(crashedDb, source);
            Process child = run(crashedConfig, log);
            // kill only after the child made progress, then at a random moment of its next batches
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (child.isAlive() && committed(crashedDb, source) == before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(random.nextInt(150));
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(1, TimeUnit.MINUTES);
                killedAt.add(committed(crashedDb, source));
            } else {
                assertThat(child.exitValue()).isZero();
            }
        }
        Process last = run(crashedConfig, log);
        assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).isZero();

        assertThat(killedAt).as("committed offsets after each kill").anySatisfy(
                offset -> assertThat(offset).as("a kill that interrupted a run mid-file").isBetween(1L, size - 1));
        assertThat(committed(crashedDb, source)).isEqualTo(size);
        assertThat(everything(crashedDb)).isEqualTo(clean);
    }

    private Path config(Path database) throws IOException {
        return Files.writeString(dir.resolve(database.getFileName() + ".yml"), """
                cache:
                  type: sqlite
                  options:
                    filename: %s
                tlsrpt:
                  sending_mta_ips: [192.0.2.1]
                  log_timezone: UTC
                  report_recipients_exclude: [tlsrpt@reports.example]
                  batch_lines: 50
                  batch_interval: 0.05
                """.formatted(database));
    }

    /** Half the domains publish an enforce policy naming their mx host; rogue MX hosts are not named. */
    private static void servePolicies(Path database) {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database)) {
            for (int d = 0; d < PostfixLogGenerator.DOMAINS; d += 2) {
                String domain = "d" + d + ".example";
                policies.policyServed(domain, StsPolicy.of(PolicyMode.ENFORCE, 604800,
                        List.of(MxPattern.parse("mx." + domain))), START, START.plusSeconds(86400 * 3));
            }
        }
    }

    private static Process run(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "tlsrpt", "ingest", "-c", config.toString(), log.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static long committed(Path database, SourceId source) {
        if (!Files.exists(database)) {
            return 0;
        }
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            return store.offset(source).map(SourceOffset::committed).orElse(0L);
        }
    }

    private static String everything(Path database) {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            StringBuilder all = new StringBuilder();
            for (LocalDate day = LocalDate.of(2026, 11, 28); !day.isAfter(LocalDate.of(2026, 11, 30));
                 day = day.plusDays(1)) {
                for (DomainDay counts : store.day(day)) {
                    all.append(counts).append('\n');
                }
            }
            IngestStats stats = store.stats();
            return all.append("parsed=").append(stats.parsedLines()).append(" rejected=")
                    .append(new TreeMap<>(stats.rejected())).append(" uncounted=").append(stats.uncountedSessions())
                    .toString();
        }
    }
}
