package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.daemon.DaneSetup;
import io.github.mtasts.resolver.discovery.DnsDaneDiscovery;
import io.github.mtasts.resolver.dns.UntrustedResolverException;
import io.github.mtasts.tlsrpt.aggregate.DaneDestinations;
import io.github.mtasts.tlsrpt.ingest.DnsDaneLookup;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the tlsrpt commands look up DANE destinations: {@code tlsrpt.dane} decided as the daemon decides a zone's
 * {@code dane} ({@code auto}: Postfix's {@code smtp_dns_support_level}), with the DNSSEC status of the
 * {@code dnssec:} section; none without a trustworthy one.
 */
final class TlsrptDane {
    private static final Logger LOG = LoggerFactory.getLogger(TlsrptDane.class);
    /** Per domain; a lookup that outlasts it leaves the session under MTA-STS or no policy. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TlsrptDane() {
    }

    static DaneDestinations destinations(TlsrptSetup setup) {
        DaneMode mode = setup.tlsrpt().dane();
        if (mode == DaneMode.AUTO) {
            DaneSetup.PostfixDnssec postfix = DaneSetup.postfixDnssec();
            LOG.info("tlsrpt.dane: auto is {}", postfix);
            mode = postfix.on() ? DaneMode.ON : DaneMode.OFF;
        }
        if (mode == DaneMode.OFF) {
            return DaneDestinations.NONE;
        }
        try {
            return new DaneDestinations(new DnsDaneLookup(new DnsDaneDiscovery(DaneSetup.source(setup.daemon(),
                    TIMEOUT)), TIMEOUT));
        } catch (UntrustedResolverException e) {
            LOG.warn("tlsrpt.dane: off, no trustworthy DNSSEC status: {}", e.getMessage());
            return DaneDestinations.NONE;
        }
    }
}
