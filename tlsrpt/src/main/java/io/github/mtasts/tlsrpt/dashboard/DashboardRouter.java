package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStoreException;
import io.github.mtasts.tlsrpt.aggregate.AggregateStoreException;
import io.github.mtasts.tlsrpt.aggregate.FailureFigures;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueueException;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import io.github.mtasts.tlsrpt.inbound.InboundStoreException;
import java.net.URLDecoder;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From an authorised GET's path and query to a response, with no HTTP server in sight: the pages
 * ({@code /}, {@code /domain/NAME}, {@code /org/NAME}) and every table as JSON or CSV under {@code /api/}. The range
 * is {@code ?days=} one of {@link Window#CHOICES}; CSV is asked for by {@code ?format=csv} or a {@code .csv} suffix.
 */
public final class DashboardRouter {

    /** What to send: status, content type and body. */
    public record Response(int status, String contentType, String body) {
        public Response {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }

        static Response text(int status, String text) {
            return new Response(status, "text/plain; charset=utf-8", text + "\n");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DashboardRouter.class);
    private static final int MAX_NAME = 255;

    private final InboundReportStore inbound;
    private final Outbound.Source outbound;
    private final PolicyStore policies;
    private final Optional<DeliveryQueue> deliveries;
    private final Clock clock;

    /** @param deliveries the report queue, when this process can read it */
    public DashboardRouter(InboundReportStore inbound, Outbound.Source outbound, PolicyStore policies,
                           Optional<DeliveryQueue> deliveries, Clock clock) {
        this.deliveries = Objects.requireNonNull(deliveries, "deliveries");
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param rawPath   the request path, still percent-encoded (a name may hold an encoded {@code /})
     * @param query     the decoded query parameters
     * @param linkQuery appended to every link of a page, already encoded (e.g. {@code &token=…}), or ""
     */
    public Response route(String rawPath, Map<String, String> query, String linkQuery) {
        Window window;
        try {
            window = Window.ending(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC),
                    Integer.parseInt(query.getOrDefault("days", Integer.toString(Window.DEFAULT_DAYS))));
        } catch (IllegalArgumentException e) {
            return Response.text(400, "days must be one of " + Window.CHOICES);
        }
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        if (segments.stream().anyMatch(s -> s.isEmpty() || s.length() > MAX_NAME)) {
            return Response.text(404, "not found");
        }
        DashboardTables tables = new DashboardTables(inbound, outbound.read(), policies, deliveries,
                clock.instant());
        try {
            if (!segments.isEmpty() && "api".equals(segments.get(0))) {
                return api(tables, segments.subList(1, segments.size()), window,
                        "csv".equals(query.get("format")));
            }
            return page(tables, segments, window, linkQuery);
        } catch (InboundStoreException | PolicyStoreException | AggregateStoreException | DeliveryQueueException e) {
            LOG.error("dashboard: {}", e.getMessage());
            return Response.text(503, "report or policy store unavailable");
        }
    }

    private static Response page(DashboardTables tables, List<String> segments, Window w, String linkQuery) {
        String body;
        if (segments.isEmpty()) {
            body = DashboardPages.overview(tables, w, linkQuery);
        } else if (segments.size() == 2 && "domain".equals(segments.get(0))) {
            body = DashboardPages.domain(tables, segments.get(1), w, linkQuery);
        } else if (segments.size() == 2 && "org".equals(segments.get(0))) {
            body = DashboardPages.organization(tables, segments.get(1), w, linkQuery);
        } else {
            return Response.text(404, "not found");
        }
        return new Response(200, "text/html; charset=utf-8", body);
    }

    private static Response api(DashboardTables tables, List<String> segments, Window w, boolean csvAsked) {
        if (segments.isEmpty()) {
            return Response.text(404, "not found");
        }
        List<String> path = new ArrayList<>(segments);
        String last = path.get(path.size() - 1);
        boolean csv = csvAsked || last.endsWith(".csv");
        if (last.endsWith(".csv")) {
            path.set(path.size() - 1, last.substring(0, last.length() - 4));
        }
        Optional<Table> table = table(tables, path, w);
        if (table.isEmpty()) {
            return Response.text(404, "not found");
        }
        return csv ? new Response(200, "text/csv; charset=utf-8", table.get().csv())
                : new Response(200, "application/json", table.get().json());
    }

    private static Optional<Table> table(DashboardTables tables, List<String> path, Window w) {
        boolean outbound = tables.outboundUnavailable().isEmpty();
        if (path.size() == 1) {
            return switch (path.get(0)) {
                case "summary" -> Optional.of(tables.summary(w));
                case "domains" -> outbound ? Optional.of(tables.domains(w)) : Optional.empty();
                case "policy-types" -> outbound ? Optional.of(tables.policyTypes(w)) : Optional.empty();
                case "organizations" -> Optional.of(tables.organizations(w));
                case "policy-modes" -> Optional.of(tables.policyModes(w));
                case "policy-expiring" -> Optional.of(tables.policyExpiring(w));
                case "discovery-errors" -> Optional.of(tables.discoveryErrors(w));
                default -> Optional.empty();
            };
        }
        if (path.size() == 3 && "domain".equals(path.get(0)) && outbound) {
            String name = path.get(1);
            return switch (path.get(2)) {
                case "days" -> Optional.of(tables.domainDays(name, w));
                case "policies" -> Optional.of(tables.domainPolicies(name, w));
                case "reporters" -> Optional.of(tables.domainReporters(name, w));
                case "reports" -> tables.deliveriesAvailable() ? Optional.of(tables.domainReports(name, w))
                        : Optional.empty();
                default -> Arrays.stream(FailureFigures.Dimension.values())
                        .filter(d -> d.column().equals(path.get(2))).findFirst()
                        .map(d -> tables.domainFailures(name, d, w));
            };
        }
        if (path.size() == 3 && "org".equals(path.get(0))) {
            return switch (path.get(2)) {
                case "domains" -> Optional.of(tables.organizationDomains(path.get(1), w));
                case "failures" -> Optional.of(tables.organizationFailures(path.get(1), w));
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }
}
