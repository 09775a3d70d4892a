package io.github.mtasts.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real {@code mtasts tlsrpt ingest}, run as a child JVM, on sources that are not a plain growing file: a
 * broken {@code .gz} among good ones, a file truncated and rewritten, {@code journalctl -o json} on standard input.
 */
class TlsrptIngestSourcesTest {
    private static final Instant START = Instant.parse("2026-11-28T20:00:00Z");

    @TempDir
    Path dir;

    /** What a child run printed and how it exited. */
    record Exit(int code, String out, String err) {
    }

    @Test
    void corruptGzipInTheMiddleIsNamedAndTheOthersAreCountedOnceAcrossReruns() throws Exception {
        List<String> parts = thirds(PostfixLogGenerator.generate(17, 600, START));
        Path first = gzip(dir.resolve("mail.log.3.gz"), parts.get(0));
        Path broken = gzip(dir.resolve("mail.log.2.gz"), parts.get(1));
        byte[] whole = Files.readAllBytes(broken);
        Files.write(broken, Arrays.copyOf(whole, whole.length / 2));
        Path last = gzip(dir.resolve("mail.log.1.gz"), parts.get(2));

        // the reference: the two good files, and the complete lines the broken one still yields, as a plain file
        Path referenceDb = dir.resolve("reference.db");
        Path readable = Files.writeString(dir.resolve("readable-prefix.log"), completeLines(readPrefix(broken)));
        assertThat(readable).isNotEmptyFile();
        Exit reference = ingest(config(referenceDb), "", first.toString(), readable.toString(), last.toString());
        assertThat(reference.code()).as(reference.err()).isZero();

        Path db = dir.resolve("cache.db");
        Path config = config(db);
        Exit run = ingest(config, "", first.toString(), broken.toString(), last.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains(broken + ": corrupt or truncated gzip file")
                .doesNotContain(first + ":").doesNotContain(last + ":");
        String once = everything(db);
        assertThat(once).contains("successes=").isEqualTo(everything(referenceDb));

        Exit again = ingest(config, "", first.toString(), broken.toString(), last.toString());
        assertThat(again.code()).as(again.err()).isEqualTo(1);
        assertThat(again.err()).contains(broken.toString());
        assertThat(everything(db)).as("a rerun counts nothing twice").isEqualTo(once);
    }

    @Test
    void followedFileTruncatedAndRewrittenPastTheOldOffsetIsCountedFromItsStartOnce() throws Exception {
        String before = PostfixLogGenerator.generate(1, 200, START);
        // another host name: the connections of the two logs never meet in one process's state
        String after = PostfixLogGenerator.generate(2, 400, START.plusSeconds(3600))
                .replace(" sender postfix/smtp[", " sender2 postfix/smtp[");
        assertThat(after.length()).isGreaterThan(before.length());

        Path referenceDb = dir.resolve("reference.db");
        Path beforeFile = Files.writeString(dir.resolve("before.log"), before);
        Path afterFile = Files.writeString(dir.resolve("after.log"), after);
        Exit reference = ingest(config(referenceDb), "", beforeFile.toString(), afterFile.toString());
        assertThat(reference.code()).as(reference.err()).isZero();

        Path db = dir.resolve("cache.db");
        Path log = Files.writeString(dir.resolve("mail.log"), before);
        SourceId source = FollowedFile.idOf(log);
        Process follower = start(config(db), "--follow", log.toString());
        try {
            awaitCommitted(db, source, before.length(), follower);
            // stopped while the file is rewritten, so no poll can see it shorter than what was read
            signal(follower, "STOP");
            Files.writeString(log, after, StandardOpenOption.TRUNCATE_EXISTING);
            assertThat(FollowedFile.idOf(log)).as("rewritten in place").isEqualTo(source);
            signal(follower, "CONT");
            awaitCommitted(db, source, after.length(), follower);
        } finally {
            follower.destroy();
            assertThat(follower.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
        }
        assertThat(everything(db)).contains("successes=").isEqualTo(everything(referenceDb));
    }

    @Test
    void journalPipedTwiceWithOverlapCountsLikeOneRunAndPlainStdinIsRefused() throws Exception {
        List<String> entries = journalJson(PostfixLogGenerator.generate(3, 600, START));
        int third = entries.size() / 3;

        Path referenceDb = dir.resolve("reference.db");
        Exit reference = ingest(config(referenceDb), lines(entries), "--journal-json", "-");
        assertThat(reference.code()).as(reference.err()).isZero();

        Path db = dir.resolve("cache.db");
        Path config = config(db);
        Exit refused = ingest(config, lines(entries), "-");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("standard input (-) is not resumable");

        // journalctl stopped two thirds in; restarted, it repeats the entries from one third on
        Exit first = ingest(config, lines(entries.subList(0, 2 * third)), "--journal-json", "-");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(everything(db)).isNotEqualTo(everything(referenceDb));
        Exit second = ingest(config, lines(entries.subList(third, entries.size())), "--journal-json", "-");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(everything(db)).contains("successes=").isEqualTo(everything(referenceDb));

        Exit again = ingest(config, lines(entries), "--journal-json", "-");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(everything(db)).as("the whole journal once more").isEqualTo(everything(referenceDb));
    }

    /**
     * A {@code journald:} source runs {@code journalctl}; this machine has no journal to read, so a fake
     * {@code journalctl} on the child's PATH records its arguments and prints recorded JSON. It ignores the cursor
     * and prints everything it has: the worst a restarted journalctl could repeat.
     */
    @Test
    void journaldSourceStartsJournalctlAfterTheStoredPositionAndCountsRepeatedEntriesOnce() throws Exception {
        List<String> entries = journalJson(PostfixLogGenerator.generate(4, 600, START));
        Path referenceDb = dir.resolve("reference.db");
        Exit reference = ingest(config(referenceDb), lines(entries), "--journal-json", "-");
        assertThat(reference.code()).as(reference.err()).isZero();

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path journal = dir.resolve("journal.json");
        Path calls = dir.resolve("journalctl-args.log");
        Path fake = Files.writeString(bin.resolve("journalctl"), """
                #!/bin/sh
                printf '%%s\\n' "$*" >> %s
                exec cat %s
                """.formatted(calls, journal));
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        Path db = dir.resolve("cache.db");
        Path config = config(db, "  sources: [\"journald:postfix*\"]\n");

        Files.writeString(journal, lines(entries.subList(0, entries.size() * 2 / 3)));
        Exit first = ingest(Map.of("PATH", bin + ":" + System.getenv("PATH")), config, "");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(Files.readAllLines(calls)).singleElement().isEqualTo(
                "--output=json --no-pager --unit=postfix* --lines=all");
        SourceOffset stored;
        try (SqliteAggregateStore store = SqliteAggregateStore.open(db)) {
            stored = store.offset(new SourceId("journal:postfix*")).orElseThrow();
        }
        assertThat(stored.cursor()).isNotEmpty();

        Files.writeString(journal, lines(entries));
        Exit second = ingest(Map.of("PATH", bin + ":" + System.getenv("PATH")), config, "");
        assertThat(second.code()).as(second.err()).isZero();
        String resumed = Files.readAllLines(calls).get(1);
        assertThat(resumed).startsWith("--output=json --no-pager --unit=postfix* ")
                .isEqualTo(stored.replay() < stored.committed()
                        ? "--output=json --no-pager --unit=postfix* --since=@" + stored.replay() / 1_000_000
                        : "--output=json --no-pager --unit=postfix* --after-cursor=" + stored.cursor());
        assertThat(everything(db)).contains("successes=").isEqualTo(everything(referenceDb));
    }

    @Test
    void followedJournaldSourceCommitsEverythingReadAndStopsJournalctlOnSigterm() throws Exception {
        List<String> entries = journalJson(PostfixLogGenerator.generate(5, 300, START));
        Path referenceDb = dir.resolve("reference.db");
        Exit reference = ingest(config(referenceDb), lines(entries), "--journal-json", "-");
        assertThat(reference.code()).as(reference.err()).isZero();

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path journal = Files.writeString(dir.resolve("journal.json"), lines(entries));
        Path printed = dir.resolve("journalctl.pid");
        // prints the journal, then waits for more as journalctl --follow does
        Path fake = Files.writeString(bin.resolve("journalctl"), """
                #!/bin/sh
                cat %s
                echo $$ > %s.tmp && mv %s.tmp %s
                exec sleep 300
                """.formatted(journal, printed, printed, printed));
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        Path db = dir.resolve("cache.db");
        Process follower = start(Map.of("PATH", bin + ":" + System.getenv("PATH")), config(db), "--follow",
                "journald:postfix*");
        long journalctl;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!Files.exists(printed) && follower.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(printed).as("journalctl printed everything").exists();
            journalctl = Long.parseLong(Files.readString(printed).trim());
        } finally {
            follower.destroy();
            assertThat(follower.waitFor(1, TimeUnit.MINUTES)).as("stops on SIGTERM").isTrue();
        }
        assertThat(ProcessHandle.of(journalctl).map(ProcessHandle::isAlive)).as("journalctl stopped with it")
                .isNotEqualTo(java.util.Optional.of(true));
        assertThat(everything(db)).contains("successes=").isEqualTo(everything(referenceDb));
    }

    private static String lines(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    /**
     * The generated log's syslog lines as {@code journalctl -o json} (systemd 252) prints them: one journald
     * instance numbering its entries; the garbage lines are no journal entries.
     */
    static List<String> journalJson(String log) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> entries = new ArrayList<>();
        long seqnum = 0x2000;
        for (String line : log.lines().toList()) {
            String[] parts = line.split(" ", 4);
            if (parts.length < 4 || !parts[2].endsWith("]:") || !Character.isDigit(line.charAt(0))) {
                continue;
            }
            Instant time = Instant.parse(parts[0]);
            String tag = parts[2].substring(0, parts[2].length() - 2);
            String identifier = tag.substring(0, tag.indexOf('['));
            String pid = tag.substring(tag.indexOf('[') + 1);
            long micros = time.getEpochSecond() * 1_000_000 + time.getNano() / 1_000;
            long monotonic = 9_000_000 + seqnum * 7;
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("__CURSOR", "s=0b4c2a3e1c3f4f9c9d0f1b2a3c4d5e6f;i=" + Long.toHexString(seqnum)
                    + ";b=5f6e7d8c9b0a41b2a3c4d5e6f7a8b9c0;m=" + Long.toHexString(monotonic) + ";t="
                    + Long.toHexString(micros) + ";x=9f8e7d6c5b4a3921");
            entry.put("__REALTIME_TIMESTAMP", Long.toString(micros));
            entry.put("__MONOTONIC_TIMESTAMP", Long.toString(monotonic));
            entry.put("_BOOT_ID", "5f6e7d8c9b0a41b2a3c4d5e6f7a8b9c0");
            entry.put("PRIORITY", "6");
            entry.put("SYSLOG_FACILITY", "2");
            entry.put("_TRANSPORT", "syslog");
            entry.put("_SYSTEMD_UNIT", "postfix@-.service");
            entry.put("_HOSTNAME", parts[1]);
            entry.put("SYSLOG_IDENTIFIER", identifier);
            entry.put("SYSLOG_PID", pid);
            entry.put("_PID", pid);
            entry.put("MESSAGE", parts[3]);
            entries.add(json.writeValueAsString(entry));
            seqnum++;
        }
        return entries;
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /** Waits (bounded, to avoid a hang) until the follower committed {@code source} up to {@code offset}. */
    private static void awaitCommitted(Path database, SourceId source, long offset, Process follower)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (committed(database, source) != offset && follower.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(committed(database, source)).as("committed offset").isEqualTo(offset);
    }

    private static long committed(Path database, SourceId source) {
        try (SqliteAggregateStore store = SqliteAggregateStore.open(database)) {
            return store.offset(source).map(SourceOffset::committed).orElse(0L);
        }
    }

    /** The log cut into three pieces at line boundaries. */
    private static List<String> thirds(String log) {
        List<String> lines = log.lines().toList();
        int third = lines.size() / 3;
        List<String> parts = new ArrayList<>();
        parts.add(String.join("\n", lines.subList(0, third)) + "\n");
        parts.add(String.join("\n", lines.subList(third, 2 * third)) + "\n");
        parts.add(String.join("\n", lines.subList(2 * third, lines.size())) + "\n");
        return parts;
    }

    private static Path gzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** What a gzip reader gets from a truncated file before it fails. */
    private static String readPrefix(Path gz) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 64 * 1024)) {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) > 0) {
                out.write(buffer, 0, read);
            }
            throw new AssertionError(gz + " was expected to be truncated");
        } catch (EOFException truncated) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static String completeLines(String text) {
        return text.substring(0, text.lastIndexOf('\n') + 1);
    }

    private Path config(Path database) throws IOException {
        return config(database, "");
    }

    private Path config(Path database, String moreTlsrptKeys) throws IOException {
        servePolicies(database);
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
                """.formatted(database) + moreTlsrptKeys);
    }

    /** Half the domains publish an enforce policy naming their mx host. */
    private static void servePolicies(Path database) {
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database)) {
            for (int d = 0; d < PostfixLogGenerator.DOMAINS; d += 2) {
                String domain = "d" + d + ".example";
                policies.policyServed(domain, StsPolicy.of(PolicyMode.ENFORCE, 604800,
                        List.of(MxPattern.parse("mx." + domain))), START, START.plusSeconds(86400 * 3));
            }
        }
    }

    private static Process start(Path config, String... args) throws IOException {
        return start(Map.of(), config, args);
    }

    private static Process start(Map<String, String> env, Path config, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "tlsrpt", "ingest", "-c", config.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs {@code tlsrpt ingest} to its end with {@code stdin} on its standard input. */
    private static Exit ingest(Path config, String stdin, String... args) throws Exception {
        return ingest(Map.of(), config, stdin, args);
    }

    private static Exit ingest(Map<String, String> env, Path config, String stdin, String... args) throws Exception {
        Process process = start(env, config, args);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException exitedWithoutReading) {
            // a refused command line ends before reading its input: its exit code says so
        }
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            process.waitFor(1, TimeUnit.MINUTES);
            throw new AssertionError("tlsrpt ingest did not end: " + err.getNow(""));
        }
        return new Exit(process.exitValue(), out.get(1, TimeUnit.MINUTES), err.get(1, TimeUnit.MINUTES));
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
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
