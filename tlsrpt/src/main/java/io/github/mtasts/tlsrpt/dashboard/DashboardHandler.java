package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.resolver.daemon.HttpEndpoint;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStoreException;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import io.github.mtasts.tlsrpt.inbound.InboundStoreException;
import io.github.mtasts.tlsrpt.inbound.InboundSummary;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard page at {@code GET /} of the daemon's HTTP listener, for the last {@value #DAYS} UTC days.
 * Reports reveal infrastructure, so with a token or basic-auth credentials configured the listener lets only
 * requests carrying one of them through ({@code HttpAccess}, which guards {@code /metrics} the same way).
 */
public final class DashboardHandler implements HttpEndpoint.Handler {

    /** The window of UTC days shown, today included: a month of trend without an unbounded page. */
    public static final int DAYS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);

    private final InboundReportStore inbound;
    private final Outbound.Source outbound;
    private final PolicyStore policies;
    private final Clock clock;

    /**
     * @param policies the daemon's policy store
     * @param clock    decides which UTC day is today
     */
    public DashboardHandler(InboundReportStore inbound, Outbound.Source outbound, PolicyStore policies, Clock clock) {
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Runs on the listener's executor: reading the stores may take a while, the event loop never waits for it. */
    @Override
    public HttpEndpoint.Response handle(HttpEndpoint.Request request) {
        if (!"/".equals(request.path())) {
            return HttpEndpoint.Response.status(404);
        }
        if (!"GET".equals(request.method())) {
            return HttpEndpoint.Response.status(405);
        }
        HttpEndpoint.Response response;
        try {
            response = HttpEndpoint.Response.of(200, "text/html; charset=utf-8",
                    DashboardPage.render(read()).getBytes(StandardCharsets.UTF_8));
        } catch (InboundStoreException | PolicyStoreException e) {
            LOG.error("dashboard: {}", e.getMessage());
            response = HttpEndpoint.Response.of(503, "text/plain; charset=utf-8",
                    "report or policy store unavailable\n".getBytes(StandardCharsets.UTF_8));
        }
        return response.withHeader("Cache-Control", "no-store");
    }

    private DashboardData read() {
        LocalDate last = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate first = last.minusDays(DAYS - 1);
        List<DiscoveryFailureCount> discoveryFailures = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            discoveryFailures.addAll(policies.discoveryFailures(day));
        }
        return new DashboardData(first, last, outbound.read(first, last),
                inbound.summary(first, last, InboundSummary.Limits.DEFAULT), policies.loadAll(), discoveryFailures);
    }
}
