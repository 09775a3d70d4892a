package io.github.mtasts.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.benchmarks.load.PostfixLogGenerator.Event;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostfixLogGeneratorTest {

    private static String generate(long lines, long seed) {
        StringBuilder out = new StringBuilder();
        PostfixLogGenerator.generate(lines, seed, out);
        return out.toString();
    }

    @Test
    void sameSeedGivesTheSameLines() {
        assertThat(generate(5_000, 42)).isEqualTo(generate(5_000, 42));
    }

    @Test
    void differentSeedsGiveDifferentLines() {
        assertThat(generate(5_000, 1)).isNotEqualTo(generate(5_000, 2));
    }

    @Test
    void writesWholeEventsUntilAtLeastTheRequestedLines() {
        String log = generate(1_000, 3);
        long lines = log.lines().count();
        assertThat(lines).isBetween(1_000L, 1_010L);
        assertThat(log).endsWith("\n");
    }

    @Test
    void everyEventKindOccursInALargeEnoughLog() {
        Map<Event, Long> events = PostfixLogGenerator.generate(20_000, 9, new StringBuilder());
        assertThat(events.keySet()).containsExactlyInAnyOrder(Event.values());
    }

    @Test
    void linesHaveTheFormsOfARealMaillog() {
        String log = generate(20_000, 9);
        assertThat(log).contains(" relay postfix/smtp[", "Verified TLS connection established to mx",
                "Trusted TLS connection established to", "Verified TLS connection reused to",
                "status=deferred (TLS is required, but was not offered by host ",
                "server certificate verification failed for ", ": num=62:hostname mismatch",
                ": certificate has expired", ": self-signed certificate", ": Cannot start TLS: handshake failure",
                "policy table lookup error", "postfix/smtpd[", "postfix/qmgr[1202]: ");
        assertThat(log.lines()).allMatch(line -> line.matches("Nov (29|30) \\d\\d:\\d\\d:\\d\\d relay postfix/\\w+\\[\\d+\\]: .+"));
    }
}
