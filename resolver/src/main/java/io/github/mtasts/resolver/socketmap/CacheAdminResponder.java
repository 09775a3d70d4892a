package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.cache.DaneStateCache;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.text.LogSafe;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code mtasts cache} commands' way to a running daemon whatever else it serves: requests on the reserved map
 * name {@value #MAP_NAME} on the socketmap listener, which every daemon has. {@code reload:DOMAIN} makes the cache
 * re-read the domain from the store (serve a stored usable policy, or forget it so the next lookup discovers), and
 * {@code reload-all} drops every policy held in memory; both forget the DANE states concerned too, so the next
 * lookup asks DNS again. Every other request goes to the policy responder.
 *
 * <p>Anyone who may query the map may use it, which is safe: it only re-reads the store, never writes or deletes
 * there, so a caller without the store's own access cannot remove a policy (the downgrade RFC 8461 §10.2 guards
 * against). Replies follow the socketmap protocol: {@code OK} with what the daemon now holds, {@code PERM} for a
 * request it does not understand, {@code TEMP} when the store did not answer.
 */
public final class CacheAdminResponder implements SocketmapResponder {

    /** The map name that carries admin requests; no zone may be named so. */
    public static final String MAP_NAME = ZoneConfig.ADMIN_MAP_NAME;
    static final String RELOAD = "reload:";
    static final String RELOAD_ALL = "reload-all";

    private static final Logger LOG = LoggerFactory.getLogger(CacheAdminResponder.class);

    private final SocketmapResponder policies;
    private final PolicyCache cache;
    private final Optional<DaneStateCache> dane;

    public CacheAdminResponder(SocketmapResponder policies, PolicyCache cache, Optional<DaneStateCache> dane) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.dane = Objects.requireNonNull(dane, "dane");
    }

    @Override
    public CompletionStage<String> respond(SocketmapRequest request) {
        if (!MAP_NAME.equals(request.mapName())) {
            return policies.respond(request);
        }
        String key = request.key();
        if (key.equals(RELOAD_ALL)) {
            cache.forgetAll();
            dane.ifPresent(DaneStateCache::forgetAll);
            LOG.info("admin: dropped every policy held in memory; lookups read the store again");
            return CompletableFuture.completedFuture("OK forgot all");
        }
        if (!key.startsWith(RELOAD)) {
            return CompletableFuture.completedFuture("PERM expected reload:DOMAIN or reload-all");
        }
        String domain;
        try {
            domain = DomainKey.parse(key.substring(RELOAD.length())).domain();
        } catch (InvalidDomainKeyException e) {
            return CompletableFuture.completedFuture("PERM not a policy domain");
        }
        dane.ifPresent(states -> states.forget(domain));
        // the store thread answers; the event loop only attaches the reply
        return cache.reload(domain).handle((held, error) -> {
            if (error != null) {
                return "TEMP the store did not answer";
            }
            LOG.info("admin: reloaded {} from the store: {}", LogSafe.escape(domain),
                    held.map(p -> "serving id " + p.txtId()).orElse("nothing usable stored, next lookup discovers"));
            return held.map(p -> "OK held " + domain + " id " + p.txtId() + " expires " + p.expiresAt())
                    .orElse("OK forgot " + domain);
        });
    }
}
