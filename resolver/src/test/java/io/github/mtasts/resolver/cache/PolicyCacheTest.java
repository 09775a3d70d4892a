package io.github.mtasts.resolver.cache;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.github.mtasts.resolver.cache.CacheSettings.ProactiveFetching;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Failed;
import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Found;
import io.github.mtasts.resolver.discovery.DiscoveryResult.NoPolicy;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Unchanged;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.refresh.ProactiveRefresher;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.resolver.store.WriteBehindStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCacheTest {

    static final Instant T0 = Instant.parse("2026-11-29T01:00:00Z");
    static final String DOMAIN = "example.com";
    static final StsPolicy POLICY = enforce(86_400, "mx1.example.com");
    static final StsPolicy NEWER_POLICY = enforce(604_800, "mx2.example.com");

    final MutableClock clock = new MutableClock(T0);
    final FakeDiscovery discovery = new FakeDiscovery();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    PolicyCache cache(PolicyStore store, CacheSettings settings) {
        PolicyCache cache = new PolicyCache(discovery, store, settings, clock);
        toClose.add(store);
        toClose.add(cache);
        return cache;
    }

    ProactiveRefresher refresher(PolicyCache cache, ProactiveFetching proactive) {
        ProactiveRefresher refresher = new ProactiveRefresher(cache, proactive, clock);
        toClose.add(refresher);
        return refresher;
    }

    PolicyCache cache() {
        return cache(new MemoryPolicyStore(100), CacheSettings.defaults());
    }

    static Optional<CachedPolicy> await(CompletableFuture<Optional<CachedPolicy>> answer) throws Exception {
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** Waits until refreshes that hits handed to the background have started. */
    static void idle(PolicyCache cache) throws Exception {
        cache.backgroundIdle().get(10, TimeUnit.SECONDS);
    }

    /**
     * Completes a discovery call started by a background refresh and waits until the cache has applied it (the
     * refresh thread may attach its continuation only after the test completed the call).
     */
    static void settle(PolicyCache cache, FakeDiscovery.Call call, DiscoveryResult result) throws Exception {
        call.complete(result);
        idle(cache);
    }

    /** Caches POLICY under id "1" through a first discovery. */
    static void prime(PolicyCache cache, FakeDiscovery discovery) throws Exception {
        discovery.answerWith(call -> new Found("1", POLICY));
        assertThat(await(cache.lookup(DOMAIN))).isPresent();
        discovery.holdCalls();
    }

    @Test
    void hitIsServedFromMemoryWithoutCallingDiscovery() throws Exception {
        PolicyCache cache = cache();
        prime(cache, discovery);

        CompletableFuture<Optional<CachedPolicy>> answer = cache.lookup(DOMAIN);

        assertThat(answer).isDone();
        assertThat(answer.join()).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        assertThat(discovery.callCount()).isEqualTo(1);
        assertThat(cache.counters().hits()).isEqualTo(1);
        assertThat(cache.counters().misses()).isEqualTo(1);
    }

    @Test
    void expiryCountsMaxAgeFromTheFetch() throws Exception {
        PolicyCache cache = cache();
        prime(cache, discovery);

        CachedPolicy cached = cache.lookup(DOMAIN).join().orElseThrow();

        assertThat(cached.fetchedAt()).isEqualTo(T0);
        assertThat(cached.expiresAt()).isEqualTo(T0.plusSeconds(86_400));
    }

    @Test
    void cacheGraceTriggersExactlyOneBackgroundRefreshForManyConcurrentHits() throws Exception {
        PolicyCache cache = cache();
        prime(cache, discovery);
        clock.advance(Duration.ofSeconds(61));
        int threads = 50;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Optional<CachedPolicy>>> answers = Collections.synchronizedList(new ArrayList<>());
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    answers.add(cache.lookup(DOMAIN));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            started.add(t);
        }
        start.countDown();
        for (Thread t : started) {
            t.join(10_000);
        }

        assertThat(answers).hasSize(threads).allSatisfy(a -> {
            assertThat(a).isDone();
            assertThat(a.join()).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        });
        FakeDiscovery.Call refresh = discovery.nextPending();
        assertThat(refresh.knownTxtId()).isEqualTo("1");
        assertThat(discovery.callCount()).isEqualTo(2);
        assertThat(cache.counters().refreshes()).isEqualTo(1);

        settle(cache, refresh, new Unchanged("1"));
        cache.lookup(DOMAIN);
        idle(cache);
        assertThat(discovery.callCount()).as("the refresh reset cache_grace").isEqualTo(2);
    }

    @Test
    void unchangedTxtIdExtendsExpiryFromTheConfirmation() throws Exception {
        PolicyCache cache = cache();
        prime(cache, discovery);
        clock.advance(Duration.ofHours(20));

        cache.lookup(DOMAIN);
        settle(cache, discovery.nextPending(), new Unchanged("1"));

        CachedPolicy cached = cache.lookup(DOMAIN).join().orElseThrow();
        assertThat(cached.fetchedAt()).isEqualTo(T0);
        assertThat(cached.lastCheckedAt()).isEqualTo(T0.plus(Duration.ofHours(20)));
        assertThat(cached.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(20)).plusSeconds(86_400));
    }

    @Test
    void changedTxtIdRefetchesAndReplacesThePolicy() throws Exception {
        PolicyStore store = new MemoryPolicyStore(100);
        PolicyCache cache = cache(store, CacheSettings.defaults());
        prime(cache, discovery);
        clock.advance(Duration.ofMinutes(5));

        assertThat(cache.lookup(DOMAIN).join()).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        settle(cache, discovery.nextPending(), new Found("2", NEWER_POLICY));

        CachedPolicy cached = cache.lookup(DOMAIN).join().orElseThrow();
        assertThat(cached.txtId()).isEqualTo("2");
        assertThat(cached.policy()).isEqualTo(NEWER_POLICY);
        assertThat(cached.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)).plusSeconds(604_800));
        cache.flush().join();
        assertThat(store.load(DOMAIN)).contains(cached);
        assertThat(store.servedPolicies(DOMAIN)).extracting(ServedPolicy::policyHash)
                .containsExactly(ServedPolicy.hashOf(POLICY), ServedPolicy.hashOf(NEWER_POLICY));
    }

    @Test
    void vanishedTxtRecordKeepsThePolicyUntilExpiryThenItIsGone() throws Exception {
        PolicyCache cache = cache();
        prime(cache, discovery);
        clock.advance(Duration.ofHours(1));
        cache.lookup(DOMAIN);
        settle(cache, discovery.nextPending(), new NoPolicy("NXDOMAIN"));

        assertThat(cache.lookup(DOMAIN).join()).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);

        clock.advance(Duration.ofHours(23));
        discovery.answerWith(call -> new NoPolicy("NXDOMAIN"));
        assertThat(await(cache.lookup(DOMAIN))).isEmpty();
        assertThat(discovery.calls().get(discovery.callCount() - 1).knownTxtId())
                .as("an expired policy is a miss: discovery asked for a fresh policy").isNull();
    }

    @Test
    void fetchFailureKeepsServingTheCachedPolicyAndIsCountedPerDay() throws Exception {
        PolicyStore store = new MemoryPolicyStore(100);
        PolicyCache cache = cache(store, CacheSettings.defaults());
        prime(cache, discovery);
        clock.advance(Duration.ofHours(2));
        cache.lookup(DOMAIN);

        settle(cache, discovery.nextPending(), new Failed(FailureType.WEBPKI_INVALID, "certificate expired"));

        CachedPolicy cached = cache.lookup(DOMAIN).join().orElseThrow();
        assertThat(cached.policy()).isEqualTo(POLICY);
        assertThat(cached.expiresAt()).as("a failure does not extend the policy").isEqualTo(T0.plusSeconds(86_400));
        assertThat(cached.lastCheckedAt()).isEqualTo(T0.plus(Duration.ofHours(2)));
        assertThat(cache.counters().discoveryFailures(FailureType.WEBPKI_INVALID)).isEqualTo(1);
        cache.flush().join();
        Instant failedAt = T0.plus(Duration.ofHours(2));
        assertThat(store.discoveryFailures(LocalDate.parse("2026-11-29"))).containsExactly(new DiscoveryFailureCount(
                DOMAIN, LocalDate.parse("2026-11-29"), FailureType.WEBPKI_INVALID, 1, "certificate expired",
                failedAt, failedAt));
    }

    @Test
    void failedRefreshIsNotRetriedBeforeCacheGracePassesAgain() throws Exception {
        PolicyCache cache = cache();
        prime(cache, discovery);
        clock.advance(Duration.ofMinutes(2));
        cache.lookup(DOMAIN);
        settle(cache, discovery.nextPending(), new Failed(FailureType.POLICY_FETCH_ERROR, "HTTP 503"));

        cache.lookup(DOMAIN);
        idle(cache);
        assertThat(discovery.callCount()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(60));
        cache.lookup(DOMAIN);
        assertThat(discovery.nextPending().knownTxtId()).isEqualTo("1");
        assertThat(discovery.callCount()).isEqualTo(3);
    }

    @Test
    void singleFlightUnder100ConcurrentLookupsOfOneUncachedDomain() throws Exception {
        PolicyCache cache = cache();
        int threads = 100;
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(threads);
        List<CompletableFuture<Optional<CachedPolicy>>> answers = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < threads; i++) {
            new Thread(() -> {
                ready.countDown();
                try {
                    start.await();
                    answers.add(cache.lookup(DOMAIN));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    asked.countDown();
                }
            }).start();
        }
        ready.await(10, TimeUnit.SECONDS);
        start.countDown();
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();

        FakeDiscovery.Call only = discovery.nextPending();
        assertThat(discovery.callCount()).isEqualTo(1);
        assertThat(only.knownTxtId()).isNull();
        only.complete(new Found("1", POLICY));

        for (CompletableFuture<Optional<CachedPolicy>> answer : answers) {
            assertThat(await(answer)).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        }
        assertThat(answers).hasSize(threads);
        assertThat(discovery.callCount()).isEqualTo(1);
    }

    @Test
    void noPolicyIsRememberedForTheNoPolicyTtl() throws Exception {
        CacheSettings settings = new CacheSettings(Duration.ofSeconds(60), Duration.ofSeconds(300),
                Duration.ofSeconds(30), 10, 100, ProactiveFetching.defaults());
        PolicyCache cache = cache(new MemoryPolicyStore(100), settings);
        discovery.answerWith(call -> new NoPolicy("NXDOMAIN"));
        assertThat(await(cache.lookup(DOMAIN))).isEmpty();

        clock.advance(Duration.ofSeconds(299));
        CompletableFuture<Optional<CachedPolicy>> remembered = cache.lookup(DOMAIN);
        assertThat(remembered).isDone();
        assertThat(remembered.join()).isEmpty();
        assertThat(discovery.callCount()).isEqualTo(1);
        assertThat(cache.counters().negativeHits()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(await(cache.lookup(DOMAIN))).isEmpty();
        assertThat(discovery.callCount()).isEqualTo(2);
    }

    @Test
    void failedDiscoveryIsRememberedForTheFailureTtl() throws Exception {
        CacheSettings settings = new CacheSettings(Duration.ofSeconds(60), Duration.ofSeconds(300),
                Duration.ofSeconds(30), 10, 100, ProactiveFetching.defaults());
        PolicyCache cache = cache(new MemoryPolicyStore(100), settings);
        discovery.answerWith(call -> new Failed(FailureType.DNS_FAILURE, "SERVFAIL"));
        assertThat(await(cache.lookup(DOMAIN))).isEmpty();

        clock.advance(Duration.ofSeconds(29));
        assertThat(await(cache.lookup(DOMAIN))).isEmpty();
        assertThat(discovery.callCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        discovery.answerWith(call -> new Found("1", POLICY));
        assertThat(await(cache.lookup(DOMAIN))).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        assertThat(discovery.callCount()).isEqualTo(2);
    }

    @Test
    void expiredPolicyIsNotServedAndLeavesTheStore() throws Exception {
        PolicyStore store = new MemoryPolicyStore(100);
        PolicyCache cache = cache(store, CacheSettings.defaults());
        prime(cache, discovery);
        clock.advance(Duration.ofSeconds(86_400));
        discovery.answerWith(call -> new Failed(FailureType.POLICY_FETCH_ERROR, "connection refused"));

        assertThat(await(cache.lookup(DOMAIN))).isEmpty();

        cache.flush().join();
        assertThat(store.load(DOMAIN)).isEmpty();
    }

    @Test
    void missServesAUsablePolicyFromTheStoreWithoutDiscovery() throws Exception {
        PolicyStore store = new MemoryPolicyStore(100);
        CachedPolicy stored = CachedPolicy.fetched(DOMAIN, "1", POLICY, T0);
        store.save(stored);
        PolicyCache cache = cache(store, CacheSettings.defaults());

        assertThat(await(cache.lookup(DOMAIN))).contains(stored);
        assertThat(discovery.callCount()).isZero();
    }

    @Test
    void discoveryThatBreaksItsContractAnswersNoPolicy() throws Exception {
        PolicyCache cache = cache();
        discovery.holdCalls();
        CompletableFuture<Optional<CachedPolicy>> answer = cache.lookup(DOMAIN);

        discovery.nextPending().fail(new IllegalStateException("bug"));

        assertThat(await(answer)).isEmpty();
    }

    @Test
    void proactiveRefreshChecksDueEntriesWithinItsConcurrencyLimit() throws Exception {
        // interval 1000 s, grace_ratio 2: policies confirmed 500 s ago or more are due
        ProactiveFetching proactive = new ProactiveFetching(true, Duration.ofSeconds(1000), 2, 2.0);
        PolicyCache cache = cache(new MemoryPolicyStore(100), CacheSettings.defaults().withProactive(proactive));
        discovery.answerWith(call -> new Found("1", call.domain().startsWith("short") ? enforce(900, "mx")
                : POLICY));
        for (String domain : List.of("old1.example", "old2.example", "old3.example", "old4.example")) {
            await(cache.lookup(domain));
        }
        clock.advance(Duration.ofSeconds(600));
        await(cache.lookup("young.example"));
        // max_age 900: expires before the next run in 1000 s, so it is due although just fetched
        await(cache.lookup("short.example"));
        discovery.holdCalls();
        int before = discovery.callCount();

        CompletableFuture<Integer> run = refresher(cache, proactive).runOnce();
        discovery.awaitOutstanding(2);

        List<FakeDiscovery.Call> checks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            FakeDiscovery.Call call = discovery.nextPending();
            assertThat(discovery.pendingCount()).as("at most 2 checks at a time").isLessThanOrEqualTo(1);
            checks.add(call);
            call.complete(new Unchanged(call.knownTxtId()));
        }
        assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(discovery.callCount() - before).isEqualTo(5);
        assertThat(discovery.maxOutstanding()).isEqualTo(2);
        Set<String> checked = checks.stream().map(FakeDiscovery.Call::domain).collect(Collectors.toSet());
        assertThat(checked).containsExactlyInAnyOrder("old1.example", "old2.example", "old3.example",
                "old4.example", "short.example");
        assertThat(checks).allSatisfy(call -> assertThat(call.knownTxtId()).isEqualTo("1"));
        assertThat(cache.lookup("old1.example").join().orElseThrow().expiresAt())
                .isEqualTo(T0.plusSeconds(600 + 86_400));
    }

    @Test
    void warmStartLoadsUsablePoliciesAndDropsExpiredOnes() throws Exception {
        PolicyStore store = new MemoryPolicyStore(100);
        CachedPolicy usable = CachedPolicy.fetched("usable.example", "1", POLICY, T0.minusSeconds(3600));
        CachedPolicy expired = CachedPolicy.fetched("expired.example", "1", enforce(60, "mx"), T0.minusSeconds(3600));
        store.save(usable);
        store.save(expired);
        PolicyCache cache = cache(store, CacheSettings.defaults());

        assertThat(cache.warmStart().get(10, TimeUnit.SECONDS)).isEqualTo(1);

        cache.flush().join();
        assertThat(store.load("expired.example")).isEmpty();
        assertThat(store.servedPolicies("usable.example")).singleElement()
                .extracting(ServedPolicy::firstServed).isEqualTo(T0);
        CompletableFuture<Optional<CachedPolicy>> answer = cache.lookup("usable.example");
        assertThat(answer).isDone();
        assertThat(answer.join()).contains(usable);
    }

    // ---- overridden domains: the override answers, so no stored policy is ever recorded as served ----

    static final PolicyOverrides OVERRIDES = PolicyOverrides.of(List.of(
            new PolicyOverride("over.example", PolicyOverride.Outcome.ENCRYPT, List.of()),
            new PolicyOverride(".wild.example", PolicyOverride.Outcome.DANE_ONLY, List.of())));

    PolicyCache overriding(PolicyStore store, CacheSettings settings) {
        PolicyCache cache = new PolicyCache(discovery, store, settings, OVERRIDES, clock);
        toClose.add(store);
        toClose.add(cache);
        return cache;
    }

    /** Stores a usable policy, fetched an hour ago, for each domain, as a daemon without the overrides left them. */
    static PolicyStore storeWith(String... domains) {
        PolicyStore store = new MemoryPolicyStore(100);
        for (String domain : domains) {
            store.save(CachedPolicy.fetched(domain, "1", POLICY, T0.minusSeconds(3600)));
        }
        return store;
    }

    @Test
    void warmStartHoldsOverriddenDomainsButRecordsThemNotServed() throws Exception {
        PolicyStore store = storeWith("over.example", "a.wild.example", "plain.example");
        PolicyCache cache = overriding(store, CacheSettings.defaults());

        assertThat(cache.warmStart().get(10, TimeUnit.SECONDS)).isEqualTo(3);

        cache.flush().join();
        assertThat(store.servedPolicies("over.example")).isEmpty();
        assertThat(store.servedPolicies("a.wild.example")).isEmpty();
        assertThat(store.servedPolicies("plain.example")).singleElement()
                .extracting(ServedPolicy::firstServed).isEqualTo(T0);
        assertThat(cache.held("over.example")).as("held, to be kept current").isPresent();
    }

    @Test
    void expiryOfAnOverriddenDomainsPolicyRecordsNoServedSpan() throws Exception {
        PolicyStore store = storeWith("over.example", "plain.example");
        PolicyCache cache = overriding(store, CacheSettings.defaults());
        cache.warmStart().get(10, TimeUnit.SECONDS);

        clock.advance(Duration.ofSeconds(86_400));
        cache.purgeExpired();

        cache.flush().join();
        assertThat(store.servedPolicies("over.example")).isEmpty();
        assertThat(store.servedPolicies("plain.example")).singleElement()
                .extracting(ServedPolicy::lastServed).as("until its expiry").isEqualTo(T0.plusSeconds(82_800));
    }

    @Test
    void discoveryOfAnOverriddenDomainSavesItsPolicyButRecordsItNotServed() throws Exception {
        PolicyStore store = storeWith("over.example");
        PolicyCache cache = overriding(store, CacheSettings.defaults());
        discovery.answerWith(call -> new Found("2", NEWER_POLICY));

        assertThat(await(cache.preload("over.example"))).as("from the store").isPresent();
        assertThat(await(cache.preload("b.wild.example"))).as("discovered").isPresent();
        assertThat(await(cache.refresh("over.example", policy -> true))).get()
                .extracting(CachedPolicy::policy).as("replaced by a newer policy").isEqualTo(NEWER_POLICY);

        cache.flush().join();
        assertThat(store.load("b.wild.example")).isPresent();
        assertThat(store.load("over.example")).get().extracting(CachedPolicy::policy).isEqualTo(NEWER_POLICY);
        assertThat(store.servedPolicies("over.example")).isEmpty();
        assertThat(store.servedPolicies("b.wild.example")).isEmpty();
    }

    @Test
    void adoptedAndReloadedOverriddenDomainsAreNotRecordedServedWhenTheyExpire() throws Exception {
        PolicyStore store = storeWith("over.example", "plain.example");
        PolicyCache cache = overriding(store, CacheSettings.defaults());

        cache.adopt(store.load("over.example").orElseThrow());
        assertThat(cache.reload("over.example").get(10, TimeUnit.SECONDS)).isPresent();
        assertThat(cache.reload("plain.example").get(10, TimeUnit.SECONDS)).isPresent();

        clock.advance(Duration.ofSeconds(86_400));
        cache.purgeExpired();
        cache.flush().join();
        assertThat(store.servedPolicies("over.example")).isEmpty();
        assertThat(store.servedPolicies("plain.example")).as("the held policy's expiry records it").hasSize(1);
    }

    @Test
    void proactiveRefreshKeepsAnOverriddenDomainCurrentWithoutRecordingItServed() throws Exception {
        ProactiveFetching proactive = new ProactiveFetching(true, Duration.ofSeconds(1000), 2, 2.0);
        PolicyStore store = storeWith("over.example", "plain.example");
        PolicyCache cache = overriding(store, CacheSettings.defaults().withProactive(proactive));
        discovery.answerWith(call -> new Unchanged("1"));

        assertThat(refresher(cache, proactive).runOnce().get(10, TimeUnit.SECONDS)).isEqualTo(2);

        cache.flush().join();
        assertThat(store.load("over.example")).get().extracting(CachedPolicy::confirmedAt)
                .as("confirmed now: removing the override opens no downgrade window").isEqualTo(T0);
        assertThat(store.servedPolicies("over.example")).isEmpty();
        assertThat(store.servedPolicies("plain.example")).hasSize(1);
    }

    @Test
    void restartWithSqliteKeepsServingThePolicyWhileDiscoveryFindsNone() throws Exception {
        Path file = dir.resolve("policies.db");
        PolicyStore firstStore = SqlitePolicyStore.open(file);
        PolicyCache first = new PolicyCache(discovery, firstStore, CacheSettings.defaults(), clock);
        prime(first, discovery);
        first.close();
        firstStore.close();

        clock.advance(Duration.ofHours(3));
        discovery.answerWith(call -> new NoPolicy("NXDOMAIN (attacker dropped the TXT record)"));
        PolicyCache second = cache(SqlitePolicyStore.open(file), CacheSettings.defaults());
        assertThat(second.warmStart().get(10, TimeUnit.SECONDS)).isEqualTo(1);

        CompletableFuture<Optional<CachedPolicy>> answer = second.lookup(DOMAIN);
        assertThat(answer).isDone();
        assertThat(answer.join()).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        idle(second);
        assertThat(discovery.calls().get(discovery.callCount() - 1).knownTxtId())
                .as("the stale entry was refreshed with its known id").isEqualTo("1");
        assertThat(await(second.lookup(DOMAIN))).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
    }

    @Test
    void failingStoreDegradesToMemoryWithoutFailingLookups() throws Exception {
        SqlitePolicyStore store = SqlitePolicyStore.open(dir.resolve("broken.db"));
        store.close();
        PolicyCache cache = cache(store, CacheSettings.defaults());
        discovery.answerWith(call -> new Found("1", POLICY));

        assertThat(cache.warmStart().get(10, TimeUnit.SECONDS)).isZero();
        assertThat(await(cache.lookup(DOMAIN))).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        CompletableFuture<Optional<CachedPolicy>> hit = cache.lookup(DOMAIN);

        assertThat(hit).isDone();
        assertThat(hit.join()).isPresent();
        assertThat(discovery.callCount()).isEqualTo(1);
        cache.flush().join();
        assertThat(cache.counters().storeFailures()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void unchangedIdForAPolicyThatExpiredDuringTheCheckFetchesItAfresh() throws Exception {
        PolicyCache cache = cache();
        discovery.answerWith(call -> new Found("1", enforce(120, "mx1.example.com")));
        await(cache.lookup(DOMAIN));
        discovery.holdCalls();
        clock.advance(Duration.ofSeconds(100));
        cache.lookup(DOMAIN);
        FakeDiscovery.Call check = discovery.nextPending();
        clock.advance(Duration.ofSeconds(20));
        CompletableFuture<Optional<CachedPolicy>> afterExpiry = cache.lookup(DOMAIN);

        check.complete(new Unchanged("1"));
        FakeDiscovery.Call fetch = discovery.nextPending();
        assertThat(fetch.knownTxtId()).isNull();
        fetch.complete(new Found("1", POLICY));

        assertThat(await(afterExpiry)).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
    }

    @Test
    void memoryHoldsAtMostMaxEntriesAndReadsDroppedPoliciesBackFromTheStore() throws Exception {
        CacheSettings settings = new CacheSettings(Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), 10, 2, ProactiveFetching.defaults());
        PolicyStore store = new MemoryPolicyStore(100);
        PolicyCache cache = cache(store, settings);
        discovery.answerWith(call -> new Found("1", enforce(call.domain().equals("a.example") ? 3600 : 86_400, "mx")));
        for (String domain : List.of("a.example", "b.example", "c.example")) {
            await(cache.lookup(domain));
        }
        cache.flush().join();

        CompletableFuture<Optional<CachedPolicy>> dropped = cache.lookup("a.example");
        CompletableFuture<Optional<CachedPolicy>> kept = cache.lookup("c.example");

        assertThat(kept).isDone();
        assertThat(await(dropped)).get().extracting(CachedPolicy::domain).isEqualTo("a.example");
        assertThat(cache.counters().misses()).as("a.example was dropped from memory: a miss").isEqualTo(4);
        assertThat(discovery.callCount()).as("but read back from the store, not discovered again").isEqualTo(3);
    }

    @Test
    void startRunsProactiveRefreshInTheBackground() throws Exception {
        ProactiveFetching proactive = new ProactiveFetching(true, Duration.ofSeconds(1000), 5, 2.0);
        PolicyCache cache = cache(new MemoryPolicyStore(100), CacheSettings.defaults().withProactive(proactive));
        prime(cache, discovery);
        clock.advance(Duration.ofSeconds(500));

        refresher(cache, proactive).start();

        FakeDiscovery.Call check = discovery.nextPending();
        assertThat(check.domain()).isEqualTo(DOMAIN);
        assertThat(check.knownTxtId()).isEqualTo("1");
        check.complete(new Unchanged("1"));
    }

    @Test
    void storeOutageIsLoggedOnceNotPerOperation() throws Exception {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WriteBehindStore.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            SqlitePolicyStore store = SqlitePolicyStore.open(dir.resolve("down.db"));
            store.close();
            PolicyCache cache = cache(store, CacheSettings.defaults());
            discovery.answerWith(call -> new Found("1", POLICY));

            for (String domain : List.of("a.example", "b.example", "c.example")) {
                assertThat(await(cache.lookup(domain))).isPresent();
            }
            cache.flush().join();

            assertThat(cache.counters().storeFailures()).isGreaterThanOrEqualTo(6);
            assertThat(appender.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("policy store failed"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void aWaiterThatGivesUpLeavesTheDiscoveryToTheOthers() throws Exception {
        PolicyCache cache = cache();
        discovery.holdCalls();
        CompletableFuture<Optional<CachedPolicy>> impatient = cache.lookup(DOMAIN);
        CompletableFuture<Optional<CachedPolicy>> patient = cache.lookup(DOMAIN);
        FakeDiscovery.Call call = discovery.nextPending();

        impatient.complete(Optional.empty());
        call.complete(new Found("1", POLICY));

        assertThat(await(patient)).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        assertThat(cache.lookup(DOMAIN)).isDone();
        assertThat(discovery.callCount()).isEqualTo(1);
    }

    @Test
    void everyStoreCallRunsOnTheStoreThreadNeverOnTheCaller() throws Exception {
        Set<String> storeCallers = ConcurrentHashMap.newKeySet();
        PolicyStore recording = (PolicyStore) Proxy.newProxyInstance(PolicyStore.class.getClassLoader(),
                new Class<?>[] {PolicyStore.class}, new InvocationHandler() {
                    final PolicyStore target = new MemoryPolicyStore(100);

                    @Override
                    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                        if (!method.getName().equals("close")) {
                            storeCallers.add(Thread.currentThread().getName());
                        }
                        return method.invoke(target, args);
                    }
                });
        PolicyCache cache = cache(recording, CacheSettings.defaults());
        cache.warmStart().get(10, TimeUnit.SECONDS);
        prime(cache, discovery);
        clock.advance(Duration.ofMinutes(2));
        cache.lookup(DOMAIN);
        settle(cache, discovery.nextPending(), new Failed(FailureType.POLICY_FETCH_ERROR, "HTTP 500"));
        cache.lookup(DOMAIN);
        cache.flush().join();

        assertThat(storeCallers).containsExactly("policy-store");
    }

    @Test
    void proactiveRunIsSkippedWhileAnotherCacheHoldsTheStoreLease() throws Exception {
        ProactiveFetching proactive = new ProactiveFetching(true, Duration.ofSeconds(1000), 5, 2.0);
        PolicyStore shared = new MemoryPolicyStore(100);
        PolicyCache cache = cache(shared, CacheSettings.defaults().withProactive(proactive));
        prime(cache, discovery);
        clock.advance(Duration.ofSeconds(500));
        assertThat(shared.tryLease(ProactiveRefresher.LEASE, "another daemon", Duration.ofHours(1))).isTrue();
        int before = discovery.callCount();

        assertThat(refresher(cache, proactive).runOnce().get(10, TimeUnit.SECONDS)).isZero();
        assertThat(discovery.callCount()).isEqualTo(before);
    }

    @Test
    void proactiveRunTakesANewerStoredCopyOfAPolicyInsteadOfCheckingIt() throws Exception {
        ProactiveFetching proactive = new ProactiveFetching(true, Duration.ofSeconds(1000), 5, 2.0);
        PolicyStore shared = new MemoryPolicyStore(100);
        PolicyCache cache = cache(shared, CacheSettings.defaults().withProactive(proactive));
        prime(cache, discovery);
        cache.flush().join();
        clock.advance(Duration.ofSeconds(600));
        // another daemon confirmed the policy a moment ago
        CachedPolicy confirmedElsewhere = shared.load(DOMAIN).orElseThrow().confirmed(T0.plusSeconds(590));
        shared.save(confirmedElsewhere);
        int before = discovery.callCount();

        assertThat(refresher(cache, proactive).runOnce().get(10, TimeUnit.SECONDS)).isZero();
        assertThat(discovery.callCount()).isEqualTo(before);
        assertThat(await(cache.lookup(DOMAIN))).contains(confirmedElsewhere);
    }

    @Test
    void proactiveRunRefreshesMemoryWhenTheStoreFails() throws Exception {
        ProactiveFetching proactive = new ProactiveFetching(true, Duration.ofSeconds(1000), 5, 2.0);
        SqlitePolicyStore store = SqlitePolicyStore.open(dir.resolve("failing.db"));
        PolicyCache cache = cache(store, CacheSettings.defaults().withProactive(proactive));
        prime(cache, discovery);
        cache.flush().join();
        store.close();
        clock.advance(Duration.ofSeconds(600));
        discovery.answerWith(call -> new Unchanged(call.knownTxtId()));

        assertThat(refresher(cache, proactive).runOnce().get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(discovery.calls()).last().extracting(FakeDiscovery.Call::knownTxtId).isEqualTo("1");
    }

    @Test
    void proactiveRunDiscoversPreloadedDomainsWithoutAPolicyAndRefreshesThoseWithOne() throws Exception {
        ProactiveFetching proactive = new ProactiveFetching(true, Duration.ofSeconds(1000), 5, 2.0);
        PolicyCache cache = cache(new MemoryPolicyStore(100), CacheSettings.defaults().withProactive(proactive));
        prime(cache, discovery);
        clock.advance(Duration.ofSeconds(600));
        ProactiveRefresher refresher = new ProactiveRefresher(cache, proactive, clock, List.of(DOMAIN, "new.example"));
        toClose.add(refresher);
        discovery.answerWith(call -> call.domain().equals(DOMAIN)
                ? new Unchanged(call.knownTxtId()) : new NoPolicy("no TXT record"));
        int before = discovery.callCount();

        assertThat(refresher.runOnce().get(10, TimeUnit.SECONDS)).isEqualTo(2);

        assertThat(discovery.calls().subList(before, discovery.callCount()))
                .extracting(FakeDiscovery.Call::domain, FakeDiscovery.Call::knownTxtId)
                .containsExactlyInAnyOrder(tuple(DOMAIN, "1"),
                        tuple("new.example", null));
        assertThat(cache.counters().misses()).as("a preload is no lookup").isEqualTo(1);
    }

    @Test
    void forgottenDomainIsReadFromTheStoreAgainAndRediscoveredWhenTheStoreHasNothing() throws Exception {
        MemoryPolicyStore store = new MemoryPolicyStore(100);
        PolicyCache cache = cache(store, CacheSettings.defaults());
        prime(cache, discovery);
        cache.flush().join();
        store.remove(DOMAIN);  // what "mtasts cache purge" does to the store

        cache.forget(DOMAIN);
        discovery.answerWith(call -> new Found("2", NEWER_POLICY));

        assertThat(await(cache.lookup(DOMAIN))).get().extracting(CachedPolicy::txtId).isEqualTo("2");
        assertThat(discovery.callCount()).isEqualTo(2);
    }

    @Test
    void forgettingWithoutPurgingTheStoreDowngradesNothing() throws Exception {
        PolicyCache cache = cache();
        prime(cache, discovery);
        cache.flush().join();

        cache.forgetAll();

        assertThat(await(cache.lookup(DOMAIN))).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        assertThat(discovery.callCount()).isEqualTo(1);
    }

    @Test
    void reloadServesThePolicyAnotherProcessStoredAtOnce() throws Exception {
        MemoryPolicyStore store = new MemoryPolicyStore(100);
        PolicyCache cache = cache(store, CacheSettings.defaults());
        prime(cache, discovery);
        cache.flush().join();
        store.save(CachedPolicy.fetched(DOMAIN, "2", NEWER_POLICY, T0));

        assertThat(await(cache.reload(DOMAIN))).get().extracting(CachedPolicy::txtId).isEqualTo("2");

        CompletableFuture<Optional<CachedPolicy>> answer = cache.lookup(DOMAIN);
        assertThat(answer).isDone();
        assertThat(answer.join()).get().extracting(CachedPolicy::policy).isEqualTo(NEWER_POLICY);
        assertThat(discovery.callCount()).isEqualTo(1);
    }

    @Test
    void reloadOfADomainTheStoreNoLongerHoldsDropsTheMemoryCopy() throws Exception {
        MemoryPolicyStore store = new MemoryPolicyStore(100);
        PolicyCache cache = cache(store, CacheSettings.defaults());
        prime(cache, discovery);
        cache.flush().join();
        store.remove(DOMAIN);

        assertThat(await(cache.reload(DOMAIN))).isEmpty();

        assertThat(cache.held(DOMAIN)).isEmpty();
    }
}
