package io.github.mtasts.tlsrpt.sessions;

import io.github.mtasts.tlsrpt.logs.LogLine;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SessionTrackerPropertiesTest {
    private static final String[] FRAGMENTS = {
            "setting up TLS connection to ", "server ", "CA ", "certificate verification failed for ",
            "Verified", "Untrusted", "Trusted", "Anonymous", " TLS connection ", "established to ", "reused to ",
            "SSL_connect error to ", "Cannot start TLS: handshake failure", "TLSRPT: ", "status=", "success",
            "failure", ", domain=", ", receiving_mx=", ", failure_type=", "Q1", ": to=<", "u@", "example.com", ">",
            ", relay=", ", status=", "sent", "deferred", " (", ")", "mx", "[", "]", ":", "25", "192.0.2.1", "num=",
            "62", ", tls=", "may:none", ",", " ", "=", "@", "TLS is required, but was not offered by host "};

    @Provide
    Arbitrary<String> postfixLikeMessage() {
        return Arbitraries.of(FRAGMENTS).list().ofMaxSize(25).map(parts -> String.join("", parts));
    }

    @Property(tries = 3000)
    void neverThrowsOnFragmentsOfRealMessages(
            @ForAll @Size(max = 40) List<@From("postfixLikeMessage") String> messages) {
        assertTrackerSurvives(messages);
    }

    @Property(tries = 500)
    void neverThrowsOnArbitrarySequences(@ForAll @Size(max = 30) List<@StringLength(max = 120) String> messages) {
        assertTrackerSurvives(messages);
    }

    @Property(tries = 500)
    void stateStaysWithinTheProcessLimit(@ForAll @Size(max = 60) List<@StringLength(max = 3) String> pids) {
        SessionTracker tracker = new SessionTracker(session -> false, 5, Duration.ofHours(1));
        List<TlsSession> sessions = new ArrayList<>();
        int second = 0;
        for (String pid : pids) {
            tracker.accept(new LogLine(Instant.EPOCH.plusSeconds(second++), "mx", "postfix", "smtp",
                    Math.abs(pid.hashCode()), "setting up TLS connection to mx[192.0.2.1]:25"), sessions::add);
            assertThat(tracker.trackedProcesses()).isLessThanOrEqualTo(5);
        }
    }

    private static void assertTrackerSurvives(List<String> messages) {
        SessionTracker tracker = new SessionTracker(session -> false, 3, Duration.ofMinutes(1));
        List<TlsSession> sessions = new ArrayList<>();
        int second = 0;
        for (String message : messages) {
            tracker.accept(new LogLine(Instant.EPOCH.plusSeconds(second++), "mx", "postfix", "smtp", second % 4,
                    message), sessions::add);
        }
        tracker.finish(sessions::add);
        assertThat(tracker.sessions()).isEqualTo(sessions.size());
    }
}
