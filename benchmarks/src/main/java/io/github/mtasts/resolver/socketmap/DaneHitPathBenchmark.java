package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.DaneStateCache;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.discovery.DaneDiscovery.Discovered;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.TlsaStatus;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The responder's cached hit path with and without the DANE state: {@link PolicyResponder#respond} for a domain
 * whose policy (and DANE state) are in memory, through the real {@link PolicyCache} and {@link DaneStateCache}.
 * {@code stsOnly} is a {@code dane: off} zone (the answer of before); {@code daneApplies} and
 * {@code daneDoesNotApply} a {@code dane: on} zone answering {@code OK dane-only} and the MTA-STS answer;
 * {@code daneRelay} the same zone for a smart host, {@code [host]:587}, from the relay's own DANE state.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DaneHitPathBenchmark {

    private static final String DANE_DOMAIN = "dane.example.com";
    private static final String PLAIN_DOMAIN = "plain.example.com";

    private PolicyCache policies;
    private PolicyResponder responder;
    private final SocketmapRequest sts = new SocketmapRequest("sts", DANE_DOMAIN);
    private final SocketmapRequest daneApplies = new SocketmapRequest("dane", DANE_DOMAIN);
    private final SocketmapRequest daneDoesNotApply = new SocketmapRequest("dane", PLAIN_DOMAIN);
    private final SocketmapRequest daneRelay = new SocketmapRequest("dane", "[" + DANE_DOMAIN + "]:587");

    @Setup
    public void setUp() throws Exception {
        StsPolicy policy = StsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
                + "mx: *.mail.example.net\r\nmax_age: 604800\r\n");
        policies = new PolicyCache((domain, known) -> CompletableFuture.completedFuture(
                new DiscoveryResult.Found("id1", policy)), new MemoryPolicyStore(100), CacheSettings.defaults(),
                Clock.systemUTC());
        DaneStateCache states = new DaneStateCache(target -> CompletableFuture.completedFuture(new Discovered(
                target.name().equals(DANE_DOMAIN)
                        ? new DaneState(target.name(), DnssecStatus.SECURE, List.of(new DaneHost("mx1.example.com",
                                TlsaStatus.SECURE_USABLE, List.of(new DaneTlsa(3, 1, 1, "ab")), "bench")), "bench")
                        : new DaneState(target.name(), DnssecStatus.INSECURE, List.of(), "bench"),
                Duration.ofHours(1))), Clock.systemUTC(), 100, state -> { });
        responder = new PolicyResponder(ConfigLoader.parse("bench", "default_zone: {dane: off}\n"
                + "zones:\n  sts: {dane: off, tlsrpt: true}\n  dane: {dane: on, tlsrpt: true}\n"),
                policies, Optional.of(states), new SimpleMeterRegistry());
        for (String domain : List.of(DANE_DOMAIN, PLAIN_DOMAIN)) {
            policies.lookup(domain).get(10, TimeUnit.SECONDS);
            states.lookup(DaneTarget.mx(domain)).get(10, TimeUnit.SECONDS);
        }
        states.lookup(new DaneTarget(DANE_DOMAIN, 587, false)).get(10, TimeUnit.SECONDS);
        check(sts, "OK secure match=");
        check(daneApplies, "OK dane-only");
        check(daneDoesNotApply, "OK secure match=");
        check(daneRelay, "OK dane-only");
    }

    private void check(SocketmapRequest request, String expected) {
        String reply = responder.respond(request).toCompletableFuture().join();
        if (!reply.startsWith(expected)) {
            throw new IllegalStateException(request + " answered " + reply + ", not " + expected);
        }
    }

    @TearDown
    public void tearDown() {
        policies.close();
    }

    @Benchmark
    public String stsOnly() {
        return responder.respond(sts).toCompletableFuture().join();
    }

    @Benchmark
    public String daneApplies() {
        return responder.respond(daneApplies).toCompletableFuture().join();
    }

    @Benchmark
    public String daneDoesNotApply() {
        return responder.respond(daneDoesNotApply).toCompletableFuture().join();
    }

    @Benchmark
    public String daneRelay() {
        return responder.respond(daneRelay).toCompletableFuture().join();
    }
}
