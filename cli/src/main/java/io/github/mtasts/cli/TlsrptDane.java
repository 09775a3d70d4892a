package io.github.mtasts.cli;

import io.github.mtasts.tlsrpt.aggregate.DaneDestinations;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.ingest.DnsDaneLookup;
import java.time.Duration;

/** Where the tlsrpt commands learn whether DANE applied to a session: nowhere unless {@code tlsrpt.dane} is on. */
final class TlsrptDane {
    /** Per DNS query; a lookup that times out leaves the session under MTA-STS or no policy. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private TlsrptDane() {
    }

    static DaneDestinations destinations(TlsrptConfig tlsrpt) {
        return tlsrpt.dane() ? new DaneDestinations(DnsDaneLookup.system(TIMEOUT)) : DaneDestinations.NONE;
    }
}
