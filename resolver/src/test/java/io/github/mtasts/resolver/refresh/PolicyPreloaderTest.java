package io.github.mtasts.resolver.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The preloader over a real cache whose discoveries the test completes by hand. */
@Timeout(30)
class PolicyPreloaderTest {

    record Call(String domain, CompletableFuture<DiscoveryResult> result) {
    }

    final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    final PolicyDiscovery discovery = (domain, knownTxtId) -> {
        Call call = new Call(domain, new CompletableFuture<>());
        calls.add(call);
        return call.result();
    };
    final PolicyCache cache = new PolicyCache(discovery, new MemoryPolicyStore(100), CacheSettings.defaults(),
            Clock.systemUTC());

    @AfterEach
    void close() {
        cache.close();
    }

    static DiscoveryResult found(String mx) throws Exception {
        return new DiscoveryResult.Found("1", StsPolicy.parse("version: STSv1\nmode: enforce\nmx: " + mx
                + "\nmax_age: 86400\n"));
    }

    Call next() throws InterruptedException {
        Call call = calls.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("a discovery call").isNotNull();
        return call;
    }

    @Test
    void discoversAtMostConcurrencyDomainsAtOnceAndCountsThoseWithAPolicy() throws Exception {
        PolicyPreloader preloader = new PolicyPreloader(cache, List.of("a.test", "b.test", "c.test"), 2);

        CompletableFuture<Integer> run = preloader.run();
        Call first = next();
        Call second = next();
        assertThat(calls).as("the third waits for a free slot").isEmpty();
        first.result().complete(found("mx.a.test"));
        Call third = next();
        second.result().complete(new DiscoveryResult.NoPolicy("no TXT record"));
        third.result().complete(found("mx.c.test"));

        assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(List.of(first.domain(), second.domain(), third.domain()))
                .containsExactlyInAnyOrder("a.test", "b.test", "c.test");
        assertThat(cache.held("a.test")).isPresent();
        assertThat(cache.held("c.test")).isPresent();
    }

    @Test
    void preloadIsNoLookupAndAHeldPolicyIsNotDiscoveredAgain() throws Exception {
        PolicyPreloader preloader = new PolicyPreloader(cache, List.of("a.test"), 1);
        CompletableFuture<Integer> first = preloader.run();
        next().result().complete(found("mx.a.test"));
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);

        assertThat(preloader.run().get(10, TimeUnit.SECONDS)).isEqualTo(1);

        assertThat(calls).isEmpty();
        assertThat(cache.counters().hits() + cache.counters().misses()).isZero();
        assertThat(cache.lookup("a.test").join()).isPresent();
        assertThat(cache.counters().hits()).isEqualTo(1);
    }
}
