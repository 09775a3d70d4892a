package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.resolver.daemon.HttpEndpoint;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Serves the dashboard ({@link DashboardRouter}: the pages and {@code /api/...}) on the daemon's HTTP listener: the
 * thin adapter from the listener's request and response to the router. Reports reveal infrastructure, so with a
 * token or basic-auth credentials configured the listener lets only requests carrying one of them through
 * ({@code HttpAccess}, which guards {@code /metrics} and every dashboard path the same way); a {@code ?token=} is
 * kept on the page's links.
 */
public final class DashboardHandler implements HttpEndpoint.Handler {

    private final DashboardRouter router;

    /**
     * @param policies the daemon's policy store
     * @param clock    decides which UTC day is today
     */
    public DashboardHandler(InboundReportStore inbound, Outbound.Source outbound, PolicyStore policies, Clock clock) {
        this(inbound, outbound, policies, Optional.empty(), clock);
    }

    /** @param deliveries the report queue, when this process can read it: the domain page lists the reports sent */
    public DashboardHandler(InboundReportStore inbound, Outbound.Source outbound, PolicyStore policies,
                            Optional<DeliveryQueue> deliveries, Clock clock) {
        this.router = new DashboardRouter(inbound, outbound, policies, deliveries, clock);
    }

    /** Runs on the listener's executor: reading the stores may take a while, the event loop never waits for it. */
    @Override
    public HttpEndpoint.Response handle(HttpEndpoint.Request request) {
        if (!"GET".equals(request.method())) {
            return HttpEndpoint.Response.status(405);
        }
        Map<String, String> query = query(request.rawQuery());
        String token = query.get("token");
        // the listener hands over the path still percent-encoded: the router decodes each segment on its own
        DashboardRouter.Response response = router.route(request.path().isEmpty() ? "/" : request.path(), query,
                token == null ? "" : "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        return HttpEndpoint.Response.of(response.status(), response.contentType(),
                        response.body().getBytes(StandardCharsets.UTF_8))
                .withHeader("Cache-Control", "no-store")
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
    }

    /** The decoded query parameters; the first of a repeated name wins. */
    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (!raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }
}
