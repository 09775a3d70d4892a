package io.github.mtasts.resolver.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.config.DashboardConfig;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.store.CachedPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/cache/reload?domain=D} (or {@code ?all}): makes the daemon's memory agree with its store after
 * {@code mtasts cache purge} or {@code mtasts cache refresh} changed the store, so the daemon serves the new state
 * now instead of at its next miss or restart.
 *
 * <p>The only thing it can do is re-read the store: it never writes or deletes there. A caller who can reach it but
 * not the store can therefore make the daemon re-read what it would read on its next miss, nothing more; removing a
 * policy (the downgrade an attacker would want, RFC 8461 §10.2) needs the store's own credentials. It is still
 * guarded like the dashboard: with dashboard credentials configured every request must carry them; without, only
 * loopback peers are answered.
 *
 * <p>The socketmap path is untouched: a reload replaces one map entry, as a discovery would.
 */
public final class CacheAdminHandler implements HttpHandler {

    /** The path the handler is registered at on the daemon's HTTP listener. */
    public static final String PATH = "/admin/cache";
    static final String RELOAD = PATH + "/reload";

    private static final Logger LOG = LoggerFactory.getLogger(CacheAdminHandler.class);
    /** Bounds the wait for the store thread, which also serves the daemon's own writes. */
    private static final long STORE_WAIT_SECONDS = 10;

    private final PolicyCache cache;
    private final DashboardConfig credentials;

    public CacheAdminHandler(PolicyCache cache, DashboardConfig credentials) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange)) {
                respond(exchange, credentials.requiresAuth() ? 401 : 403, credentials.requiresAuth()
                        ? "credentials required (the dashboard's token or user name and password)\n"
                        : "only loopback clients may use " + PATH + " when no dashboard credentials are set\n");
                return;
            }
            if (!RELOAD.equals(exchange.getRequestURI().getPath())) {
                respond(exchange, 404, "unknown path; POST " + RELOAD + "?domain=DOMAIN or ?all\n");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                respond(exchange, 405, "use POST\n");
                return;
            }
            String query = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
            if (query.equals("all")) {
                cache.forgetAll();
                LOG.info("admin: dropped every policy held in memory; lookups read the store again");
                respond(exchange, 200, "forgot all; every domain is read from the store at its next lookup\n");
                return;
            }
            if (!query.startsWith("domain=")) {
                respond(exchange, 400, "expected ?domain=DOMAIN or ?all\n");
                return;
            }
            String domain;
            try {
                domain = DomainKey.parse(URLDecoder.decode(query.substring("domain=".length()),
                        StandardCharsets.UTF_8)).domain();
            } catch (InvalidDomainKeyException | IllegalArgumentException e) {
                respond(exchange, 400, "not a policy domain: " + e.getMessage() + "\n");
                return;
            }
            reload(exchange, domain);
        }
    }

    private void reload(HttpExchange exchange, String domain) throws IOException {
        Optional<CachedPolicy> held;
        try {
            held = cache.reload(domain).get(STORE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            respond(exchange, 503, "the store did not answer within " + STORE_WAIT_SECONDS + " s\n");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, "interrupted\n");
            return;
        } catch (ExecutionException e) {
            respond(exchange, 503, "reload of " + domain + " failed: " + e.getCause().getMessage() + "\n");
            return;
        }
        LOG.info("admin: reloaded {} from the store: {}", domain,
                held.map(p -> "serving id " + p.txtId()).orElse("nothing usable stored, next lookup discovers"));
        respond(exchange, 200, held.map(p -> "held " + domain + " id " + p.txtId() + " expires " + p.expiresAt())
                .orElse("forgot " + domain) + "\n");
    }

    private boolean allowed(HttpExchange exchange) {
        if (credentials.requiresAuth()) {
            return authenticated(exchange.getRequestHeaders().getFirst("Authorization"));
        }
        InetSocketAddress peer = exchange.getRemoteAddress();
        return peer != null && peer.getAddress() != null && peer.getAddress().isLoopbackAddress();
    }

    private boolean authenticated(String authorization) {
        if (authorization == null) {
            return false;
        }
        if (credentials.token().isPresent() && authorization.startsWith("Bearer ")) {
            return same(authorization.substring("Bearer ".length()), credentials.token().get());
        }
        if (credentials.basicAuth().isPresent() && authorization.startsWith("Basic ")) {
            DashboardConfig.BasicAuth basic = credentials.basicAuth().get();
            String expected = Base64.getEncoder().encodeToString(
                    (basic.username() + ":" + basic.password()).getBytes(StandardCharsets.UTF_8));
            return same(authorization.substring("Basic ".length()).trim(), expected);
        }
        return false;
    }

    /** Constant time, so a wrong guess tells nothing about how much of it was right. */
    private static boolean same(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
