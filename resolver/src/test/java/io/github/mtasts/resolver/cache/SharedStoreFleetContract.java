package io.github.mtasts.resolver.cache;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.mtasts.resolver.cache.CacheSettings.ProactiveFetching;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Found;
import io.github.mtasts.resolver.discovery.DiscoveryResult.Unchanged;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.refresh.ProactiveRefresher;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStoreException;
import io.github.mtasts.resolver.store.WriteBehindStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two daemons' caches, each with its own discovery and its own connection, on one shared store server: what one
 * discovers the other serves, one of them does each proactive run, and an outage of the server leaves both answering
 * from memory. One subclass per shared store type.
 */
@Timeout(120)
abstract class SharedStoreFleetContract {

    // recent, so that Redis keys (which expire in real time) outlive the test; whole seconds, as stores keep them
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
    static final StsPolicy POLICY = enforce(86_400, "mx.fleet.example");
    static final ProactiveFetching PROACTIVE = new ProactiveFetching(true, Duration.ofSeconds(1000), 10, 2.0);

    final MutableClock clock = new MutableClock(T0);
    final FakeDiscovery discoveryA = new FakeDiscovery();
    final FakeDiscovery discoveryB = new FakeDiscovery();
    final List<AutoCloseable> toClose = new ArrayList<>();

    /** A new connection to the shared server, as a second daemon would open. */
    abstract PolicyStore openStore();

    /** Empties the shared server. */
    abstract void clearServer() throws Exception;

    abstract void stopServer();

    abstract void restartServer();

    @BeforeEach
    void clear() throws Exception {
        clearServer();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    PolicyCache daemon(FakeDiscovery discovery) {
        PolicyStore store = openStore();
        PolicyCache cache = new PolicyCache(discovery, store, CacheSettings.defaults().withProactive(PROACTIVE), clock);
        toClose.add(store);
        toClose.add(cache);
        return cache;
    }

    /** What a daemon's proactive refresher runs once, on {@code cache}. */
    CompletableFuture<Integer> proactiveRun(PolicyCache cache) {
        ProactiveRefresher refresher = new ProactiveRefresher(cache, PROACTIVE, clock);
        toClose.add(refresher);
        return refresher.runOnce();
    }

    static Optional<CachedPolicy> await(PolicyCache cache, String domain) throws Exception {
        return cache.lookup(domain).get(10, TimeUnit.SECONDS);
    }

    @Test
    void policyOneDaemonDiscoveredIsServedByTheOtherWithoutDiscovery() throws Exception {
        PolicyCache a = daemon(discoveryA);
        PolicyCache b = daemon(discoveryB);
        discoveryA.answerWith(call -> new Found("1", POLICY));
        assertThat(await(a, "fleet.example")).isPresent();
        a.flush().get(10, TimeUnit.SECONDS);

        Optional<CachedPolicy> served = await(b, "fleet.example");

        assertThat(served).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
        assertThat(served.get().txtId()).isEqualTo("1");
        assertThat(discoveryB.callCount()).isZero();
    }

    @Test
    void onlyOneDaemonDoesEachProactiveRun() throws Exception {
        PolicyCache a = daemon(discoveryA);
        PolicyCache b = daemon(discoveryB);
        discoveryA.answerWith(call -> new Found("1", POLICY));
        await(a, "fleet.example");
        a.flush().get(10, TimeUnit.SECONDS);
        await(b, "fleet.example");
        clock.advance(Duration.ofSeconds(600));
        discoveryA.answerWith(call -> new Unchanged(call.knownTxtId()));
        discoveryB.answerWith(call -> new Unchanged(call.knownTxtId()));
        int callsOfA = discoveryA.callCount();

        int checkedByA = proactiveRun(a).get(10, TimeUnit.SECONDS);
        int checkedByB = proactiveRun(b).get(10, TimeUnit.SECONDS);

        assertThat(checkedByA).isEqualTo(1);
        assertThat(discoveryA.callCount() - callsOfA).isEqualTo(1);
        assertThat(checkedByB).isZero();
        assertThat(discoveryB.callCount()).isZero();
    }

    @Test
    void proactiveRunRefreshesWhatAnotherDaemonDiscovered() throws Exception {
        PolicyCache a = daemon(discoveryA);
        PolicyCache b = daemon(discoveryB);
        discoveryA.answerWith(call -> new Found("1", POLICY));
        await(a, "fleet.example");
        a.flush().get(10, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(600));
        discoveryB.answerWith(call -> new Unchanged(call.knownTxtId()));

        int checkedByB = proactiveRun(b).get(10, TimeUnit.SECONDS);
        b.flush().get(10, TimeUnit.SECONDS);

        assertThat(checkedByB).isEqualTo(1);
        assertThat(discoveryB.calls()).singleElement().satisfies(call -> {
            assertThat(call.domain()).isEqualTo("fleet.example");
            assertThat(call.knownTxtId()).isEqualTo("1");
        });
        // the confirmation is shared: a third daemon reads the policy with max_age counted from B's check
        try (PolicyStore third = openStore()) {
            assertThat(third.load("fleet.example")).get().extracting(CachedPolicy::expiresAt)
                    .isEqualTo(T0.plusSeconds(600 + 86_400));
        }
    }

    @Test
    void serverOutageLeavesDaemonsAnsweringFromMemoryLoggedOnceAndTheStoreIsUsedAgainAfterIt() throws Exception {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WriteBehindStore.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            PolicyCache a = daemon(discoveryA);
            PolicyCache b = daemon(discoveryB);
            discoveryA.answerWith(call -> new Found("1", POLICY));
            await(a, "before.example");
            a.flush().get(10, TimeUnit.SECONDS);

            stopServer();
            try {
                assertThat(a.lookup("before.example")).as("a hit needs no store").isDone();
                assertThat(await(a, "during-1.example")).isPresent();
                assertThat(await(a, "during-2.example")).isPresent();
                a.flush().get(30, TimeUnit.SECONDS);
                assertThat(a.counters().storeFailures()).isGreaterThanOrEqualTo(2);
                assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN)
                        .filteredOn(e -> e.getFormattedMessage().contains("policy store failed"))
                        .hasSize(1);
            } finally {
                restartServer();
            }

            // the cache uses the store again once it answers: a policy discovered now reaches the other daemon
            Optional<CachedPolicy> shared = eventually(() -> {
                String domain = "after-" + discoveryA.callCount() + ".example";
                await(a, domain);
                a.flush().get(30, TimeUnit.SECONDS);
                try (PolicyStore reader = openStore()) {
                    return reader.load(domain);
                }
            });
            Optional<CachedPolicy> servedByB = await(b, shared.orElseThrow().domain());
            assertThat(servedByB).get().extracting(CachedPolicy::policy).isEqualTo(POLICY);
            assertThat(discoveryB.callCount()).isZero();
            assertThat(appender.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("policy store works again"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @FunctionalInterface
    interface Attempt<T> {
        Optional<T> run() throws Exception;
    }

    /** Repeats {@code attempt} until it finds something (the pool or client reconnects after a while); a 60 s guard. */
    static <T> Optional<T> eventually(Attempt<T> attempt) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Optional<T> found;
            try {
                found = attempt.run();
            } catch (PolicyStoreException e) {
                found = Optional.empty();
            }
            if (found.isPresent() || System.nanoTime() - deadline > 0) {
                return found;
            }
            Thread.sleep(200);
        }
    }
}
