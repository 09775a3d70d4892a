package io.github.mtasts.tlsrpt.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStoreException;
import io.github.mtasts.tlsrpt.config.DashboardConfig;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import io.github.mtasts.tlsrpt.inbound.InboundStoreException;
import io.github.mtasts.tlsrpt.inbound.InboundSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard page at {@code GET /} of the daemon's HTTP listener, for the last {@value #DAYS} UTC days.
 * Reports reveal infrastructure, so with a token or basic-auth credentials configured every request must carry
 * one of them: {@code Authorization: Bearer TOKEN}, {@code ?token=TOKEN} (a browser bookmark) or
 * {@code Authorization: Basic} (a browser prompt, RFC 7617).
 */
public final class DashboardHandler implements HttpHandler {

    /** The window of UTC days shown, today included: a month of trend without an unbounded page. */
    public static final int DAYS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);

    private final InboundReportStore inbound;
    private final Outbound.Source outbound;
    private final PolicyStore policies;
    private final Optional<byte[]> tokenDigest;
    private final Optional<byte[]> basicDigest;
    private final Clock clock;

    /**
     * @param access   who may read the page
     * @param policies the daemon's policy store
     * @param clock    decides which UTC day is today
     */
    public DashboardHandler(DashboardConfig access, InboundReportStore inbound, Outbound.Source outbound,
                            PolicyStore policies, Clock clock) {
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokenDigest = access.token().map(DashboardHandler::digest);
        this.basicDigest = access.basicAuth().map(b -> digest(b.username() + ":" + b.password()));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"/".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!authorized(exchange)) {
                if (basicDigest.isPresent()) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"mtasts\", charset=\"UTF-8\"");
                }
                if (tokenDigest.isPresent()) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"mtasts\"");
                }
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body;
            int status = 200;
            try {
                body = DashboardPage.render(read()).getBytes(StandardCharsets.UTF_8);
            } catch (InboundStoreException | PolicyStoreException e) {
                LOG.error("dashboard: {}", e.getMessage());
                status = 503;
                body = "report or policy store unavailable\n".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type",
                    status == 200 ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
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

    private boolean authorized(HttpExchange exchange) {
        if (tokenDigest.isEmpty() && basicDigest.isEmpty()) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return matches(tokenDigest, header.substring(7).trim());
        }
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                return matches(basicDigest, new String(Base64.getDecoder().decode(header.substring(6).trim()),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("token=") && matches(tokenDigest,
                        URLDecoder.decode(pair.substring("token=".length()), StandardCharsets.UTF_8))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Compares digests in constant time: neither the time of a wrong guess nor the length of the secret tells an
     * attacker how close the guess came.
     */
    private static boolean matches(Optional<byte[]> expected, String candidate) {
        return expected.isPresent() && MessageDigest.isEqual(expected.get(), digest(candidate));
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
