package io.github.mtasts.resolver.socketmap;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.DaneStateCache;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CacheAdminResponderTest {

    static final String DOMAIN = "admin.example";

    private final MemoryPolicyStore store = new MemoryPolicyStore(100);
    private final AtomicInteger discoveries = new AtomicInteger();
    private final PolicyCache cache = new PolicyCache((domain, knownTxtId) -> {
        discoveries.incrementAndGet();
        return CompletableFuture.completedFuture(new DiscoveryResult.NoPolicy("none published"));
    }, store, CacheSettings.defaults(), Clock.systemUTC());
    private final AtomicInteger policyRequests = new AtomicInteger();
    private final AtomicInteger daneDiscoveries = new AtomicInteger();
    private final DaneStateCache daneStates = new DaneStateCache(target -> {
        daneDiscoveries.incrementAndGet();
        return CompletableFuture.completedFuture(new DaneDiscovery.Discovered(
                new DaneState(target.toString(), DnssecStatus.INSECURE, List.of(), "test"), Duration.ofHours(1)));
    }, Clock.systemUTC(), 100, state -> { });
    private final CacheAdminResponder responder = new CacheAdminResponder(request -> {
        policyRequests.incrementAndGet();
        return CompletableFuture.completedFuture("NOTFOUND ");
    }, cache, Optional.of(daneStates));

    @AfterEach
    void close() {
        cache.close();
        store.close();
    }

    private String answer(String mapName, String key) throws Exception {
        return responder.respond(new SocketmapRequest(mapName, key)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void reloadServesWhatTheStoreNowHoldsWithoutDiscovery() throws Exception {
        store.save(CachedPolicy.fetched(DOMAIN, "id2", enforce(86_400, "mx.admin.example"),
                Instant.ofEpochSecond(Instant.now().getEpochSecond())));

        assertThat(answer("mtasts-admin", "reload:Admin.Example.")).startsWith("OK held admin.example id id2 expires ");

        CompletableFuture<Optional<CachedPolicy>> lookup = cache.lookup(DOMAIN);
        assertThat(lookup).as("served from memory").isDone();
        assertThat(lookup.join()).get().extracting(CachedPolicy::txtId).isEqualTo("id2");
        assertThat(discoveries).hasValue(0);
        assertThat(policyRequests).hasValue(0);
    }

    @Test
    void reloadOfADomainTheStoreNoLongerHoldsForgetsTheMemoryCopy() throws Exception {
        store.save(CachedPolicy.fetched(DOMAIN, "id1", enforce(86_400, "mx.admin.example"),
                Instant.ofEpochSecond(Instant.now().getEpochSecond())));
        answer("mtasts-admin", "reload:" + DOMAIN);
        store.remove(DOMAIN);

        assertThat(answer("mtasts-admin", "reload:" + DOMAIN)).isEqualTo("OK forgot admin.example");
        assertThat(cache.held(DOMAIN)).isEmpty();
        assertThat(answer("mtasts-admin", "reload-all")).isEqualTo("OK forgot all");
    }

    @Test
    void reloadsForgetTheDaneStatesSoDnsIsAskedAgain() throws Exception {
        daneStates.lookup(DaneTarget.mx("example.com")).get(10, TimeUnit.SECONDS);
        daneStates.lookup(DaneTarget.mx("example.com")).get(10, TimeUnit.SECONDS);
        assertThat(daneDiscoveries).hasValue(1);
        answer(CacheAdminResponder.MAP_NAME, "reload:example.com");
        daneStates.lookup(DaneTarget.mx("example.com")).get(10, TimeUnit.SECONDS);
        assertThat(daneDiscoveries).hasValue(2);
        answer(CacheAdminResponder.MAP_NAME, "reload-all");
        daneStates.lookup(DaneTarget.mx("example.com")).get(10, TimeUnit.SECONDS);
        assertThat(daneDiscoveries).hasValue(3);
    }

    @Test
    void badRequestsGetAPermanentErrorAndOtherMapsGoToThePolicies() throws Exception {
        assertThat(answer("mtasts-admin", "purge:" + DOMAIN)).startsWith("PERM ");
        assertThat(answer("mtasts-admin", "reload:192.0.2.1")).isEqualTo("PERM not a policy domain");
        assertThat(policyRequests).hasValue(0);

        assertThat(answer("postfix", "reload:" + DOMAIN)).isEqualTo("NOTFOUND ");
        assertThat(policyRequests).hasValue(1);
    }
}
