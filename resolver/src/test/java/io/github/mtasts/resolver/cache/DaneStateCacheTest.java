package io.github.mtasts.resolver.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.discovery.DaneDiscovery.Discovered;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneVerdict;
import io.github.mtasts.resolver.policy.DnssecStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The DANE state cache over a discovery the test completes by hand. */
@Timeout(30)
class DaneStateCacheTest {

    record Call(String domain, CompletableFuture<Discovered> result) {
    }

    final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    final DaneDiscovery discovery = target -> {
        Call call = new Call(target.toString(), new CompletableFuture<>());
        calls.add(call);
        return call.result();
    };
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));
    final List<DaneState> discovered = new CopyOnWriteArrayList<>();
    final DaneStateCache cache = new DaneStateCache(discovery, clock, 100, discovered::add);

    static DaneState insecure(String domain) {
        return new DaneState(domain, DnssecStatus.INSECURE, List.of(), "test");
    }

    Call nextCall() throws InterruptedException {
        Call call = calls.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("a discovery call").isNotNull();
        return call;
    }

    @Test
    void oneDiscoveryForConcurrentLookupsThenHitsFromMemory() throws Exception {
        CompletableFuture<DaneState> first = cache.lookup(DaneTarget.mx("example.com"));
        CompletableFuture<DaneState> second = cache.lookup(DaneTarget.mx("example.com"));
        Call call = nextCall();
        assertThat(calls).isEmpty();
        assertThat(first).isNotDone();
        call.result().complete(new Discovered(insecure("example.com"), Duration.ofSeconds(300)));
        assertThat(first.get(5, TimeUnit.SECONDS).mx()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(first.get());
        CompletableFuture<DaneState> hit = cache.lookup(DaneTarget.mx("example.com"));
        assertThat(hit).isDone();
        assertThat(cache.lookup(DaneTarget.mx("example.com"))).isSameAs(hit);
        assertThat(calls).isEmpty();
        assertThat(discovered).hasSize(1);
    }

    @Test
    void aCallerGivingUpLeavesTheDiscoveryToFillTheCache() throws Exception {
        CompletableFuture<DaneState> waiting = cache.lookup(DaneTarget.mx("example.com"));
        waiting.complete(null);
        nextCall().result().complete(new Discovered(insecure("example.com"), Duration.ofSeconds(300)));
        assertThat(cache.lookup(DaneTarget.mx("example.com")).get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void aStateLivesNoLongerThanItsTtlAndIsRefreshedBeforeThat() throws Exception {
        cache.lookup(DaneTarget.mx("example.com"));
        nextCall().result().complete(new Discovered(insecure("example.com"), Duration.ofSeconds(100)));
        clock.advance(Duration.ofSeconds(74));
        assertThat(cache.lookup(DaneTarget.mx("example.com"))).isDone();
        assertThat(calls).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        // from three quarters of its life: answered from memory, refreshed in the background once
        assertThat(cache.lookup(DaneTarget.mx("example.com"))).isDone();
        assertThat(cache.lookup(DaneTarget.mx("example.com"))).isDone();
        Call refresh = nextCall();
        assertThat(calls).isEmpty();
        refresh.result().complete(new Discovered(insecure("example.com"), Duration.ofSeconds(100)));
        clock.advance(Duration.ofSeconds(50));
        assertThat(cache.lookup(DaneTarget.mx("example.com"))).isDone();
        clock.advance(Duration.ofSeconds(60));
        // expired: a miss, waiting for DNS
        assertThat(cache.lookup(DaneTarget.mx("example.com"))).isNotDone();
    }

    @Test
    void ttlsAreClampedToTheBounds() throws Exception {
        cache.lookup(DaneTarget.mx("short.example"));
        nextCall().result().complete(new Discovered(insecure("short.example"), Duration.ZERO));
        clock.advance(DaneStateCache.MIN_TTL.minusMillis(1));
        assertThat(cache.lookup(DaneTarget.mx("short.example"))).isDone();
        cache.lookup(DaneTarget.mx("long.example"));
        nextCall().result().complete(new Discovered(insecure("long.example"), Duration.ofDays(2)));
        clock.advance(DaneStateCache.MAX_TTL);
        assertThat(cache.lookup(DaneTarget.mx("long.example"))).isNotDone();
    }

    @Test
    void indeterminateStatesAreRetriedSoon() throws Exception {
        cache.lookup(DaneTarget.mx("bogus.example"));
        nextCall().result().complete(new Discovered(DaneState.indeterminate("bogus.example", "SERVFAIL"),
                Duration.ofSeconds(3600)));
        assertThat(cache.lookup(DaneTarget.mx("bogus.example")).join().verdict())
                .isEqualTo(DaneVerdict.INDETERMINATE);
        clock.advance(DaneStateCache.RETRY_AFTER);
        assertThat(cache.lookup(DaneTarget.mx("bogus.example"))).isNotDone();
        assertThat(nextCall().domain()).isEqualTo("bogus.example");
    }

    @Test
    void aFailingDiscoveryIsIndeterminateNeverAnException() throws Exception {
        CompletableFuture<DaneState> lookup = cache.lookup(DaneTarget.mx("broken.example"));
        nextCall().result().completeExceptionally(new IllegalStateException("bug"));
        assertThat(lookup.get(5, TimeUnit.SECONDS).verdict()).isEqualTo(DaneVerdict.INDETERMINATE);
    }

    @Test
    void aRelayIsCachedApartFromItsDomainAndForgottenWithIt() throws Exception {
        DaneTarget relay = new DaneTarget("example.com", 587, false);
        cache.lookup(DaneTarget.mx("example.com"));
        nextCall().result().complete(new Discovered(insecure("example.com"), Duration.ofSeconds(300)));
        CompletableFuture<DaneState> relayLookup = cache.lookup(relay);
        Call relayCall = nextCall();
        assertThat(relayCall.domain()).isEqualTo("[example.com]:587");
        relayCall.result().complete(new Discovered(insecure("[example.com]:587"), Duration.ofSeconds(300)));
        assertThat(relayLookup.get(5, TimeUnit.SECONDS).domain()).isEqualTo("[example.com]:587");
        assertThat(cache.lookup(DaneTarget.mx("example.com")).join().domain()).isEqualTo("example.com");
        assertThat(cache.lookup(relay)).isDone();

        cache.forget("example.com");
        assertThat(cache.lookup(relay)).isNotDone();
        assertThat(cache.lookup(DaneTarget.mx("example.com"))).isNotDone();
    }
}
