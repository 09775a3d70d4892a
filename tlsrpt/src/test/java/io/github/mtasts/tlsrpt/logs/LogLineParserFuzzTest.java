package io.github.mtasts.tlsrpt.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzing the Postfix log line parser as the followers feed it: bytes off a log file decoded leniently, and lines
 * assembled from the pieces of real syslog and journald lines with the pieces damaged. The parser documents that it
 * never throws: each input gives a {@link ParseResult.Parsed} whose message is a suffix of the line, or a
 * {@link ParseResult.Rejected} with a reason; never an exception, never a hang (a generous 5 s guard per line).
 */
class LogLineParserFuzzTest {

    private static final LogLineParser PARSER = new LogLineParser(ZoneId.of("Europe/Berlin"),
            Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneId.of("UTC")), 512);
    private static final ExecutorService GUARD = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "log-line-fuzz");
        thread.setDaemon(true);
        return thread;
    });

    @AfterContainer
    static void stopGuard() {
        GUARD.shutdownNow();
    }

    @Property(tries = 3000)
    void arbitraryBytesDecodedAsAFollowerDoesGiveAResult(@ForAll @Size(max = 700) byte[] bytes) {
        check(new String(bytes, StandardCharsets.UTF_8));
        check(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    @Property(tries = 3000)
    void damagedSyslogAndJournaldLinesGiveAResult(@ForAll("damagedLines") String line) {
        check(line);
    }

    /** Timestamps of every form the parser knows, hosts, tags and Postfix messages, each maybe cut or garbled. */
    @Provide
    Arbitrary<String> damagedLines() {
        Arbitrary<String> timestamp = Arbitraries.of("Nov 29 01:37:57", "Feb  1 00:00:00", "Feb 29 23:59:59.999999",
                "Dec 31 24:00:00", "Jan 00 12:00:00", "2026-11-29T01:37:57.123456+01:00", "2026-11-29T01:37:57+0100",
                "2026-02-30T01:37:57Z", "2026-11-29T01:37:57", "9999-99-99T99:99:99.9999999999+99:99", "Nov", "");
        Arbitrary<String> host = Arbitraries.of("mx", "mail.example.com", "", " ", "[::1]");
        Arbitrary<String> tag = Arbitraries.of("postfix/smtp[42]:", "postfix/smtp[]:", "postfix/smtp[4", "postfix:",
                "postfix/smtp[99999999999999999999]:", "[1]:", ":");
        Arbitrary<String> message = Arbitraries.of(
                "3B5C1C2A1F: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, status=sent (250 ok)",
                "Verified TLS connection established to mx.example.com[192.0.2.1]:25: TLSv1.3 with cipher X",
                "server certificate verification failed for mx.example.com[192.0.2.1]:25: num=10:certificate has expired",
                "warning: TLS policy lookup for example.com/mx.example.com: client TLS configuration problem",
                "");
        Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(20);
        return Combinators.combine(timestamp, host, tag, message, noise, Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(0, 200))
                .as((t, h, g, m, n, damage, at) -> {
                    String line = t + " " + h + " " + g + " " + m;
                    int cut = Math.min(at, line.length());
                    return switch (damage) {
                        case 0 -> line;
                        case 1 -> line.substring(0, cut);
                        case 2 -> line.substring(0, cut) + n + line.substring(cut);
                        case 3 -> line.substring(cut);
                        default -> line.replace(' ', '\t') + n.repeat(40);
                    };
                });
    }

    private static void check(String line) {
        ParseResult result = guarded(() -> PARSER.parse(line));
        assertThat(result).isNotNull();
        if (result instanceof ParseResult.Parsed parsed) {
            assertThat(line).endsWith(parsed.line().message());
            Statistics.collect("parsed");
        } else {
            assertThat(((ParseResult.Rejected) result).reason()).isNotNull();
            Statistics.collect(((ParseResult.Rejected) result).reason().name());
        }
    }

    private static <T> T guarded(Callable<T> work) {
        Future<T> future = GUARD.submit(work);
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail("the parser did not finish within 5 s");
        } catch (ExecutionException e) {
            return fail("the parser threw, though it documents that it never throws", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }
}
