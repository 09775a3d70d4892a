package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.mtasts.testing.JsonMutations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzing the parser of reports others send us, the first code that reads a stranger's JSON: arbitrary bytes,
 * real reports with bytes flipped, inserted and deleted, and deep nesting. Each input either parses into a report or
 * throws the documented {@link InvalidReportException}; never another exception, never a hang (a generous 5 s
 * guard per input).
 */
class InboundReportParserFuzzTest {

    private static final List<byte[]> REAL_REPORTS = List.of(Samples.bytes(Samples.GOOGLE_DIGILICIOUS),
            Samples.bytes(Samples.MICROSOFT), Samples.bytes(Samples.MAIL_RU), Samples.bytes(Samples.PARSEDMARC_GOOGLE_STYLE));
    private static final ExecutorService GUARD = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "inbound-report-fuzz");
        thread.setDaemon(true);
        return thread;
    });

    @AfterContainer
    static void stopGuard() {
        GUARD.shutdownNow();
    }

    @Property(tries = 3000)
    void arbitraryBytesParseOrAreInvalid(@ForAll @Size(max = 400) byte[] bytes) {
        check(bytes);
    }

    @Property(tries = 3000)
    void mutatedRealReportsParseOrAreInvalid(@ForAll @IntRange(min = 0, max = 3) int report,
            @ForAll("mutations") List<Tuple.Tuple3<Integer, Integer, Byte>> mutations) {
        check(JsonMutations.apply(REAL_REPORTS.get(report), mutations));
    }

    @Property(tries = 200)
    void deepNestingIsInvalidNotAStackOverflow(@ForAll @IntRange(min = 1, max = 200_000) int depth,
            @ForAll boolean arrays) {
        String open = arrays ? "[" : "{\"policies\":";
        String close = arrays ? "]" : "}";
        check((open.repeat(depth) + "1" + close.repeat(depth)).getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, Byte>>> mutations() {
        return JsonMutations.edits(6);
    }

    private static void check(byte[] bytes) {
        Object outcome = guarded(() -> {
            try {
                return InboundReportParser.parse(bytes);
            } catch (InvalidReportException e) {
                return e;
            }
        });
        if (outcome instanceof InvalidReportException invalid) {
            assertThat(invalid.getMessage()).isNotBlank();
            Statistics.collect("invalid");
        } else {
            InboundReport report = (InboundReport) outcome;
            assertThat(report.organizationName()).isNotNull();
            assertThat(report.policies()).isNotNull();
            Statistics.collect(report.deviations().isEmpty() ? "parsed" : "parsed with deviations");
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
            return fail("the parser threw something other than InvalidReportException", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }
}
