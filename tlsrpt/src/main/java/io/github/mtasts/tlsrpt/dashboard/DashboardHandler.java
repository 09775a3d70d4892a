package io.github.mtasts.tlsrpt.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.config.DashboardConfig;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.net.URLEncoder;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Serves the dashboard ({@link DashboardRouter}: the pages and {@code /api/...}) on the daemon's HTTP listener: this
 * class is the thin adapter from the JDK's {@link HttpExchange} to the router, and the access check. Reports reveal
 * infrastructure, so with a token or basic-auth credentials configured every request, the API's included, must carry
 * one of them: {@code Authorization: Bearer TOKEN}, {@code ?token=TOKEN} (a browser bookmark; kept on the page's
 * links) or {@code Authorization: Basic} (a browser prompt, RFC 7617).
 */
public final class DashboardHandler implements HttpHandler {

    private final DashboardRouter router;
    private final Optional<byte[]> tokenDigest;
    private final Optional<byte[]> basicDigest;

    /**
     * @param access   who may read the page
     * @param policies the daemon's policy store
     * @param clock    decides which UTC day is today
     */
    public DashboardHandler(DashboardConfig access, InboundReportStore inbound, Outbound.Source outbound,
                            PolicyStore policies, Clock clock) {
        this(access, inbound, outbound, policies, Optional.empty(), clock);
    }

    /** @param deliveries the report queue, when this process can read it: the domain page lists the reports sent */
    public DashboardHandler(DashboardConfig access, InboundReportStore inbound, Outbound.Source outbound,
                            PolicyStore policies, Optional<DeliveryQueue> deliveries, Clock clock) {
        this.router = new DashboardRouter(inbound, outbound, policies, deliveries, clock);
        this.tokenDigest = access.token().map(DashboardHandler::digest);
        this.basicDigest = access.basicAuth().map(b -> digest(b.username() + ":" + b.password()));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
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
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String token = query.get("token");
            DashboardRouter.Response response = router.route(exchange.getRequestURI().getRawPath(), query,
                    token == null ? "" : "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
            exchange.sendResponseHeaders(response.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The decoded query parameters; the first of a repeated name wins. */
    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
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
