package io.github.mtasts.tlsrpt.inbound;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.mtasts.resolver.cache.PolicyStore;
import io.github.mtasts.resolver.cache.PolicyStoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard page at {@code GET /}. Reports reveal infrastructure (IP addresses, MX names), so the
 * listener belongs on loopback, and with a token configured every request must carry it, as
 * {@code Authorization: Bearer TOKEN} or, for a browser bookmark, {@code ?token=TOKEN}.
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);

    private final InboundReportStore store;
    private final Optional<PolicyStore> policies;
    private final Optional<byte[]> token;
    private final Clock clock;
    private final HttpServer server;

    private DashboardServer(InboundReportStore store, Optional<PolicyStore> policies, Optional<String> token,
                            Clock clock, HttpServer server) {
        this.store = store;
        this.policies = policies;
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.clock = clock;
        this.server = server;
    }

    /**
     * @param policies the policy cache to show next to the reports, when this process can read it
     * @param clock    decides which UTC day's discovery failures are "today"
     */
    public static DashboardServer start(InetSocketAddress address, InboundReportStore store,
                                        Optional<PolicyStore> policies, Optional<String> token, Clock clock)
            throws IOException {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(policies, "policies");
        HttpServer http = HttpServer.create(address, 16);
        DashboardServer dashboard = new DashboardServer(store, policies, token, clock, http);
        http.createContext("/", dashboard::handle);
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "dashboard-http");
            thread.setDaemon(true);
            return thread;
        }));
        http.start();
        return dashboard;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!"/".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body;
            int status = 200;
            try {
                LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
                body = DashboardPage.render(store.reports(),
                        policies.map(PolicyStore::loadAll).orElse(List.of()),
                        policies.map(p -> p.discoveryFailures(today)).orElse(List.of()))
                        .getBytes(StandardCharsets.UTF_8);
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

    private boolean authorized(HttpExchange exchange) {
        if (token.isEmpty()) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.startsWith("Bearer ") && matches(header.substring("Bearer ".length()))) {
            return true;
        }
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("token=")
                        && matches(URLDecoder.decode(pair.substring("token=".length()), StandardCharsets.UTF_8))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Constant time, so the response time does not tell how much of a guess was right. */
    private boolean matches(String candidate) {
        return MessageDigest.isEqual(token.orElseThrow(), candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
