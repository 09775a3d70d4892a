package io.github.mtasts.tlsrpt.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.TlsaStatus;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The mapping from the resolver's DANE state to a host's tlsa policy; DNS itself is DaneTlsrptEndToEndTest's. */
class DnsDaneLookupTest {
    private static final DaneTlsa EE = new DaneTlsa(3, 1, 1, "ab".repeat(32));
    private static final DaneTlsa PKIX_EE = new DaneTlsa(1, 1, 1, "cd".repeat(32));

    private static DnsDaneLookup lookup(DaneState state) {
        return new DnsDaneLookup(domain -> CompletableFuture.completedFuture(
                new DaneDiscovery.Discovered(state, Duration.ofMinutes(5))), Duration.ofSeconds(5));
    }

    @Test
    void aSecureUsableHostGivesItsUsableRecordsOnly() {
        DaneState state = new DaneState("example.com", DnssecStatus.SECURE, List.of(
                new DaneHost("mx1.example.com", TlsaStatus.SECURE_USABLE, List.of(EE, PKIX_EE), "found"),
                new DaneHost("mx2.example.com", TlsaStatus.SECURE_DENIED, List.of(), "NODATA")), "found");

        assertThat(lookup(state).usableTlsa("example.com", "MX1.example.com"))
                .contains(new TlsaPolicy("mx1.example.com", List.of("3 1 1 " + "ab".repeat(32))));
        assertThat(lookup(state).usableTlsa("example.com", "mx2.example.com")).isEmpty();
        assertThat(lookup(state).usableTlsa("example.com", "mx3.example.com")).isEmpty();
    }

    @Test
    void anInsecureOrIndeterminateMxRrsetGivesNothing() {
        assertThat(lookup(new DaneState("example.com", DnssecStatus.INSECURE, List.of(), "unsigned"))
                .usableTlsa("example.com", "mx1.example.com")).isEmpty();
        assertThat(lookup(DaneState.indeterminate("example.com", "SERVFAIL"))
                .usableTlsa("example.com", "mx1.example.com")).isEmpty();
    }

    @Test
    void aDiscoveryOutlastingTheTimeoutGivesNothing() {
        DnsDaneLookup never = new DnsDaneLookup(domain -> new CompletableFuture<>(), Duration.ofMillis(1));
        assertThat(never.usableTlsa("example.com", "mx1.example.com")).isEmpty();
    }
}
