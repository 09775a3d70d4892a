package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.store.CachedPolicy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
 * policy (the downgrade an attacker would want, RFC 8461 §10.2) needs the store's own credentials. It is guarded like
 * every path of the listener ({@link HttpAccess}): with the dashboard's credentials configured every request must
 * carry them, and without them {@link HttpEndpoint} only listens on a loopback address.
 *
 * <p>The socketmap path is untouched: a reload replaces one map entry, as a discovery would.
 */
public final class CacheAdminHandler implements HttpEndpoint.Handler {

    /** The path the handler is registered at on the daemon's HTTP listener. */
    public static final String PATH = "/admin/cache";
    static final String RELOAD = PATH + "/reload";

    private static final Logger LOG = LoggerFactory.getLogger(CacheAdminHandler.class);
    /** Bounds the wait for the store thread, which also serves the daemon's own writes. */
    private static final long STORE_WAIT_SECONDS = 10;

    private final PolicyCache cache;

    public CacheAdminHandler(PolicyCache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /** Runs on the listener's executor: the reload waits for the store thread, never on the event loop. */
    @Override
    public HttpEndpoint.Response handle(HttpEndpoint.Request request) {
        if (!RELOAD.equals(request.path())) {
            return text(404, "unknown path; POST " + RELOAD + "?domain=DOMAIN or ?all\n");
        }
        if (!"POST".equals(request.method())) {
            return text(405, "use POST\n").withHeader("Allow", "POST");
        }
        String query = request.rawQuery();
        if (query.equals("all")) {
            cache.forgetAll();
            LOG.info("admin: dropped every policy held in memory; lookups read the store again");
            return text(200, "forgot all; every domain is read from the store at its next lookup\n");
        }
        if (!query.startsWith("domain=")) {
            return text(400, "expected ?domain=DOMAIN or ?all\n");
        }
        String domain;
        try {
            domain = DomainKey.parse(URLDecoder.decode(query.substring("domain=".length()),
                    StandardCharsets.UTF_8)).domain();
        } catch (InvalidDomainKeyException | IllegalArgumentException e) {
            return text(400, "not a policy domain: " + e.getMessage() + "\n");
        }
        return reload(domain);
    }

    private HttpEndpoint.Response reload(String domain) {
        Optional<CachedPolicy> held;
        try {
            held = cache.reload(domain).get(STORE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return text(503, "the store did not answer within " + STORE_WAIT_SECONDS + " s\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return text(503, "interrupted\n");
        } catch (ExecutionException e) {
            return text(503, "reload of " + domain + " failed: " + e.getCause().getMessage() + "\n");
        }
        LOG.info("admin: reloaded {} from the store: {}", domain,
                held.map(p -> "serving id " + p.txtId()).orElse("nothing usable stored, next lookup discovers"));
        return text(200, held.map(p -> "held " + domain + " id " + p.txtId() + " expires " + p.expiresAt())
                .orElse("forgot " + domain) + "\n");
    }

    private static HttpEndpoint.Response text(int status, String text) {
        return HttpEndpoint.Response.of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
}
