package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.tlsrpt.inbound.InboundSummary;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * Everything one dashboard page shows, read from the stores for the UTC days {@code first} to {@code last}.
 *
 * @param inbound           the received reports of the window, summed and cut to size by the store
 * @param policies          the policy cache
 * @param discoveryFailures the policy discovery failures of the window's days
 */
public record DashboardData(LocalDate first, LocalDate last, Outbound outbound, InboundSummary inbound,
                            List<CachedPolicy> policies, List<DiscoveryFailureCount> discoveryFailures) {

    public DashboardData {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
        Objects.requireNonNull(outbound, "outbound");
        if (last.isBefore(first)) {
            throw new IllegalArgumentException("window ends before it starts: " + first + " to " + last);
        }
        Objects.requireNonNull(inbound, "inbound");
        policies = List.copyOf(policies);
        discoveryFailures = List.copyOf(discoveryFailures);
    }
}
