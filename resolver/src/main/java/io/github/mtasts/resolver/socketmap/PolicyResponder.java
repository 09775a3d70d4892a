package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.cache.DaneStateCache;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneVerdict;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.socketmap.PostfixReply.ReplyOptions;
import io.github.mtasts.resolver.text.LogSafe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Postfix's {@code smtp_tls_policy_maps} requests: the map name selects the zone, the key is normalised
 * to a policy domain, an administrator's override for it is answered as configured, and otherwise the cached (or
 * freshly discovered) policy is rendered for that zone. A domain whose discovery outlasts the zone timeout gets
 * {@code NOTFOUND } (Postfix's own TLS settings apply) while discovery goes on and fills the cache for the next
 * message.
 *
 * <p>In a zone with {@code dane: on} (decided at start) the next hop's DANE state is looked up beside its policy, and
 * {@link PostfixReply#withDane} composes the answer (RFC 8461 §2). That state is the one Postfix's own DANE lookups
 * will meet ({@link DaneTarget}): the domain's MX hosts, or for a bracketed next hop the relay host alone. A DANE
 * state not found within the zone timeout counts as indeterminate for this one answer: DANE is not ruled out, so
 * Postfix gets a DANE level, which at worst defers the mail once.
 */
public final class PolicyResponder implements SocketmapResponder {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyResponder.class);

    private final DaemonConfig config;
    private final PolicyCache cache;
    private final Optional<DaneStateCache> dane;
    private final Counter secure;
    private final Counter notEnforced;
    private final Counter noPolicy;
    private final Counter invalidKey;
    private final Counter timedOut;
    private final Counter overridden;
    private final Counter answeredDane;
    private final Counter answeredSts;
    private final Counter answeredNone;

    /**
     * @param config with each zone's {@code dane} decided ({@link DaemonConfig#withDaneDecided}); a zone still
     *               {@code auto} answers as {@code off}
     * @param dane   the DANE states; needed when a zone has {@code dane: on}
     */
    public PolicyResponder(DaemonConfig config, PolicyCache cache, Optional<DaneStateCache> dane,
                           MeterRegistry registry) {
        if (config.anyZoneDane(DaneMode.ON) && dane.isEmpty()) {
            throw new IllegalArgumentException("zones with dane: on need the DANE states");
        }
        this.config = config;
        this.cache = cache;
        this.dane = dane;
        this.secure = lookups(registry, "secure");
        this.notEnforced = lookups(registry, "not_enforced");
        this.noPolicy = lookups(registry, "no_policy");
        this.invalidKey = lookups(registry, "invalid_key");
        this.timedOut = lookups(registry, "timeout");
        this.overridden = lookups(registry, "override");
        this.answeredDane = answers(registry, "dane");
        this.answeredSts = answers(registry, "sts");
        this.answeredNone = answers(registry, "none");
    }

    private static Counter answers(MeterRegistry registry, String kind) {
        return Counter.builder("mtasts_answers").description("policy answers by kind: DANE level, MTA-STS, none")
                .tag("kind", kind).register(registry);
    }

    private static Counter lookups(MeterRegistry registry, String result) {
        return Counter.builder("mtasts_lookups").description("socketmap lookups by answer")
                .tag("result", result).register(registry);
    }

    @Override
    public CompletionStage<String> respond(SocketmapRequest request) {
        ZoneConfig zone = config.zone(request.mapName());
        DomainKey key;
        try {
            key = DomainKey.parse(request.key());
        } catch (InvalidDomainKeyException e) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: NOTFOUND without lookup: {}", LogSafe.escape(request.key()),
                        LogSafe.escape(e.getMessage()));
            }
            invalidKey.increment();
            return CompletableFuture.completedFuture(PostfixReply.NOT_FOUND);
        }
        String domain = key.domain();
        // the administrator's word comes before the cache and discovery, which never hear of this domain
        Optional<PolicyOverride> override = config.overrides().find(domain);
        if (override.isPresent()) {
            overridden.increment();
            return CompletableFuture.completedFuture(PostfixReply.forOverride(override.get(), zone.requireSni()));
        }
        boolean viaMx = !DomainKey.skipsMxLookup(request.key());
        CompletableFuture<Optional<CachedPolicy>> lookup = cache.lookup(domain);
        if (zone.dane() == DaneMode.ON) {
            return withDane(domain, lookup, dane.orElseThrow().lookup(DaneTarget.of(request.key(), key)), zone,
                    viaMx);
        }
        if (lookup.isDone()) {
            return CompletableFuture.completedFuture(counted(render(domain, lookup.join(), zone, viaMx)));
        }
        // the cache hands each waiting caller its own future, so completing it here leaves discovery running
        return withinTimeout(domain, lookup, zone, viaMx).thenApply(this::counted);
    }

    private CompletionStage<String> withDane(String domain, CompletableFuture<Optional<CachedPolicy>> lookup,
                                             CompletableFuture<DaneState> state, ZoneConfig zone, boolean viaMx) {
        if (lookup.isDone() && state.isDone()) {
            return CompletableFuture.completedFuture(counted(
                    PostfixReply.withDane(render(domain, lookup.join(), zone, viaMx), state.join().verdict())));
        }
        CompletableFuture<String> sts = withinTimeout(domain, lookup, zone, viaMx);
        CompletableFuture<DaneVerdict> verdict = state.thenApply(DaneState::verdict)
                .completeOnTimeout(null, zone.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(found -> {
                    if (found == null) {
                        LOG.info("{}: DANE lookups take longer than the zone timeout of {} ms; DANE indeterminate"
                                + " for this answer", LogSafe.escape(domain), zone.timeout().toMillis());
                        return DaneVerdict.INDETERMINATE;
                    }
                    return found;
                });
        return sts.thenCombine(verdict, PostfixReply::withDane).thenApply(this::counted);
    }

    private CompletableFuture<String> withinTimeout(String domain, CompletableFuture<Optional<CachedPolicy>> lookup,
                                                    ZoneConfig zone, boolean viaMx) {
        return lookup.completeOnTimeout(null, zone.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(found -> {
                    if (found == null) {
                        timedOut.increment();
                        LOG.info("{}: discovery takes longer than the zone timeout of {} ms; answering NOTFOUND",
                                LogSafe.escape(domain), zone.timeout().toMillis());
                        return PostfixReply.NOT_FOUND;
                    }
                    return render(domain, found, zone, viaMx);
                });
    }

    private String counted(String reply) {
        if (reply.equals(PostfixReply.DANE) || reply.equals(PostfixReply.DANE_ONLY)) {
            answeredDane.increment();
        } else if (reply.equals(PostfixReply.NOT_FOUND)) {
            answeredNone.increment();
        } else {
            answeredSts.increment();
        }
        return reply;
    }

    private String render(String domain, Optional<CachedPolicy> found, ZoneConfig zone, boolean viaMx) {
        if (found.isEmpty()) {
            noPolicy.increment();
            return PostfixReply.NOT_FOUND;
        }
        String reply = PostfixReply.forPolicy(domain, found.get().policy(),
                new ReplyOptions(zone.strictTesting(), zone.requireSni(), zone.tlsrpt()), viaMx);
        (reply.startsWith("OK") ? secure : notEnforced).increment();
        return reply;
    }
}
