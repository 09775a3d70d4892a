package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import io.github.mtasts.resolver.cache.DaneStateCache;
import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.TlsaStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The responder over a real policy cache whose discovery the test completes by hand. */
@Timeout(30)
class PolicyResponderTest {

    static final StsPolicy ENFORCE = policy("enforce", "mx.example.com");
    static final StsPolicy TESTING = policy("testing", "mx.example.net");

    /** One discover() call, left pending until the test completes it. */
    record Call(String domain, CompletableFuture<DiscoveryResult> result) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final BlockingQueue<Call> arrivals = new LinkedBlockingQueue<>();
    final PolicyDiscovery discovery = (domain, knownTxtId) -> {
        Call call = new Call(domain, new CompletableFuture<>());
        calls.add(call);
        arrivals.add(call);
        return call.result();
    };
    final PolicyCache cache = new PolicyCache(discovery, new MemoryPolicyStore(100), CacheSettings.defaults(),
            Clock.systemUTC());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeCache() {
        cache.close();
    }

    static StsPolicy policy(String mode, String mx) {
        try {
            return StsPolicy.parse("version: STSv1\nmode: " + mode + "\nmx: " + mx + "\nmax_age: 86400\n");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    PolicyResponder responder(String yaml) throws Exception {
        DaemonConfig config = ConfigLoader.parse("test", yaml);
        return new PolicyResponder(config, cache, Optional.empty(), registry);
    }

    static String answer(CompletionStage<String> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    double lookups(String result) {
        return registry.get("mtasts_lookups").tag("result", result).counter().count();
    }

    /** The next discovery call; the cache starts it off the caller's thread (10 s is a hang guard only). */
    Call nextCall() throws InterruptedException {
        Call call = arrivals.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("a discovery call").isNotNull();
        return call;
    }

    /** Puts the outcome of a discovery of {@code domain} in the cache. */
    void discovered(String domain, DiscoveryResult result) throws Exception {
        CompletableFuture<?> first = cache.lookup(domain);
        Call call = nextCall();
        assertThat(call.domain()).isEqualTo(domain);
        call.result().complete(result);
        first.get(10, TimeUnit.SECONDS);
    }

    void cached(String domain, StsPolicy policy) throws Exception {
        discovered(domain, new DiscoveryResult.Found("1", policy));
    }

    @Test
    void mapNameSelectsItsZoneAndOtherNamesGetTheDefaultZone() throws Exception {
        PolicyResponder responder = responder(
                "default_zone: {strict_testing: false}\nzones:\n  strict: {strict_testing: true, require_sni: false}\n");
        cached("example.net", TESTING);

        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "example.net")))).isEqualTo("NOTFOUND ");
        assertThat(answer(responder.respond(new SocketmapRequest("strict", "example.net"))))
                .isEqualTo("OK secure match=mx.example.net");
        assertThat(answer(responder.respond(new SocketmapRequest("unknown-name", "example.net")))).isEqualTo("NOTFOUND ");
    }

    @Test
    void tlsrptZoneAppendsThePolicyAttributes() throws Exception {
        PolicyResponder responder = responder("zones:\n  report: {tlsrpt: true}\n");
        cached("example.com", ENFORCE);

        assertThat(answer(responder.respond(new SocketmapRequest("report", "example.com"))))
                .startsWith("OK secure match=mx.example.com servername=hostname")
                .contains("policy_type=sts policy_domain=example.com");
        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "example.com"))))
                .isEqualTo("OK secure match=mx.example.com servername=hostname");
    }

    @Test
    void smartHostInBracketsGetsTheTlsrptAttributesWithoutMxHostPatterns() throws Exception {
        PolicyResponder responder = responder("zones:\n  report: {tlsrpt: true}\n");
        cached("example.com", ENFORCE);

        for (String key : List.of("[example.com]", "[example.com]:25")) {
            assertThat(answer(responder.respond(new SocketmapRequest("report", key)))).as(key)
                    .startsWith("OK secure match=mx.example.com servername=hostname policy_type=sts"
                            + " policy_domain=example.com { policy_string = version: STSv1 }")
                    .doesNotContain("mx_host_pattern");
        }
        assertThat(answer(responder.respond(new SocketmapRequest("report", "example.com:2525"))))
                .as("a host:port next hop is still reached through its MX hosts")
                .contains("mx_host_pattern=mx.example.com");
    }

    /** A DANE zone whose states come from {@code states} by target; every target asked is recorded. */
    PolicyResponder daneResponder(Map<DaneTarget, DaneState> states, List<DaneTarget> asked) throws Exception {
        DaneStateCache dane = new DaneStateCache(target -> {
            asked.add(target);
            return CompletableFuture.completedFuture(new DaneDiscovery.Discovered(states.getOrDefault(target,
                    new DaneState(target.toString(), DnssecStatus.INSECURE, List.of(), "test")),
                    Duration.ofMinutes(5)));
        }, Clock.systemUTC(), 100, state -> { });
        DaemonConfig config = ConfigLoader.parse("test", "zones:\n  danezone: {dane: on}\n")
                .withDaneDecided(false, true);
        return new PolicyResponder(config, cache, Optional.of(dane), registry);
    }

    static DaneState oneHost(String name, String host, TlsaStatus status) {
        return new DaneState(name, DnssecStatus.SECURE, List.of(new DaneHost(host, status, List.of(), "test")), "test");
    }

    @Test
    void smartHostInBracketsIsAnsweredFromItsOwnDaneStateNotItsDomains() throws Exception {
        List<DaneTarget> asked = new CopyOnWriteArrayList<>();
        PolicyResponder responder = daneResponder(Map.of(
                DaneTarget.mx("example.com"), oneHost("example.com", "mx.example.com", TlsaStatus.SECURE_USABLE),
                new DaneTarget("example.com", 587, false),
                oneHost("[example.com]:587", "example.com", TlsaStatus.SECURE_USABLE),
                new DaneTarget("example.com", 25, false),
                oneHost("[example.com]", "example.com", TlsaStatus.SECURE_DENIED)), asked);
        cached("example.com", ENFORCE);

        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "example.com"))))
                .isEqualTo(PostfixReply.DANE_ONLY);
        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "[example.com]:587"))))
                .as("the relay publishes usable TLSA at its port").isEqualTo(PostfixReply.DANE_ONLY);
        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "[example.com]"))))
                .as("no TLSA at port 25 of the relay, whatever its domain's MX hosts publish")
                .isEqualTo("OK secure match=mx.example.com servername=hostname");
        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "[Example.COM]:25"))))
                .isEqualTo("OK secure match=mx.example.com servername=hostname");
        assertThat(asked).containsExactlyInAnyOrder(DaneTarget.mx("example.com"),
                new DaneTarget("example.com", 587, false), new DaneTarget("example.com", 25, false));
    }

    @Test
    void smartHostWithUsableTlsaButNoEnforcedPolicyGetsDaneAndAnIndeterminateOneToo() throws Exception {
        PolicyResponder responder = daneResponder(Map.of(
                new DaneTarget("relay.example.net", 25, false),
                oneHost("[relay.example.net]", "relay.example.net", TlsaStatus.SECURE_USABLE),
                new DaneTarget("bogus.example.net", 25, false),
                DaneState.indeterminate("[bogus.example.net]", "address: SERVFAIL")), new CopyOnWriteArrayList<>());
        discovered("relay.example.net", new DiscoveryResult.NoPolicy("none published"));
        discovered("bogus.example.net", new DiscoveryResult.NoPolicy("none published"));

        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "[relay.example.net]"))))
                .isEqualTo(PostfixReply.DANE);
        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "[bogus.example.net]"))))
                .isEqualTo(PostfixReply.DANE);
        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "relay.example.net"))))
                .as("the domain's own (insecure) MX state").isEqualTo(PostfixReply.NOT_FOUND);
    }

    @Test
    void hostPortIsReachedThroughTheMxHostsAtThatPort() throws Exception {
        List<DaneTarget> asked = new CopyOnWriteArrayList<>();
        PolicyResponder responder = daneResponder(Map.of(
                new DaneTarget("example.com", 2525, true),
                oneHost("example.com:2525", "mx.example.com", TlsaStatus.SECURE_USABLE)), asked);
        cached("example.com", ENFORCE);

        assertThat(answer(responder.respond(new SocketmapRequest("danezone", "example.com:2525"))))
                .isEqualTo(PostfixReply.DANE_ONLY);
        assertThat(asked).containsExactly(new DaneTarget("example.com", 2525, true));
    }

    @Test
    void keyIsNormalisedBeforeTheCacheIsAsked() throws Exception {
        PolicyResponder responder = responder("");

        responder.respond(new SocketmapRequest("postfix", "Example.COM."));
        responder.respond(new SocketmapRequest("postfix", "BÜCHER.example"));

        assertThat(List.of(nextCall().domain(), nextCall().domain()))
                .containsExactlyInAnyOrder("example.com", "xn--bcher-kva.example");
    }

    @Test
    void keysThatCannotCarryAPolicyAreAnsweredAtOnceWithoutDiscovery() throws Exception {
        PolicyResponder responder = responder("");
        List<String> keys = List.of("192.0.2.1", "[192.0.2.1]", "[192.0.2.1]:25", "2001:db8::1",
                "[ipv6:2001:db8::1]", ".example.com", "a..example.com", "example.com..", "", "a".repeat(64) + ".example",
                ("a".repeat(60) + ".").repeat(5) + "example");

        for (String key : keys) {
            CompletableFuture<String> stage = responder.respond(new SocketmapRequest("postfix", key)).toCompletableFuture();
            assertThat(stage).as(key).isCompletedWithValue("NOTFOUND ");
        }
        assertThat(calls).isEmpty();
        assertThat(lookups("invalid_key")).isEqualTo(keys.size());
    }

    @Test
    void cachedPolicyIsAnsweredWithoutWaiting() throws Exception {
        PolicyResponder responder = responder("");
        cached("example.com", ENFORCE);

        assertThat(responder.respond(new SocketmapRequest("postfix", "example.com")).toCompletableFuture())
                .isCompletedWithValue("OK secure match=mx.example.com servername=hostname");
        assertThat(calls).hasSize(1);
        assertThat(lookups("secure")).isEqualTo(1);
    }

    @Test
    void uncachedDomainSlowerThanTheZoneTimeoutIsNotFoundWhileDiscoveryGoesOnToFillTheCache() throws Exception {
        PolicyResponder responder = responder("default_zone: {timeout: 0.2}\n");

        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "example.com")))).isEqualTo("NOTFOUND ");
        assertThat(lookups("timeout")).isEqualTo(1);
        Call discovery = nextCall();
        assertThat(discovery.result()).isNotDone();

        discovery.result().complete(new DiscoveryResult.Found("1", ENFORCE));
        cache.lookup("example.com").get(10, TimeUnit.SECONDS);

        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "example.com"))))
                .isEqualTo("OK secure match=mx.example.com servername=hostname");
        assertThat(calls).hasSize(1);
    }

    @Test
    void eachZoneWaitsForDiscoveryAsLongAsItsOwnTimeout() throws Exception {
        PolicyResponder responder = responder("default_zone: {timeout: 30}\nzones:\n  impatient: {timeout: 0.2}\n");

        CompletionStage<String> patient = responder.respond(new SocketmapRequest("postfix", "example.com"));
        assertThat(answer(responder.respond(new SocketmapRequest("impatient", "example.com")))).isEqualTo("NOTFOUND ");
        assertThat(patient.toCompletableFuture()).isNotDone();

        nextCall().result().complete(new DiscoveryResult.Found("1", ENFORCE));

        assertThat(answer(patient)).isEqualTo("OK secure match=mx.example.com servername=hostname");
        assertThat(calls).hasSize(1);
    }

    @Test
    void discoveryWithinTheZoneTimeoutIsAnsweredWithItsPolicy() throws Exception {
        PolicyResponder responder = responder("default_zone: {timeout: 30}\n");

        CompletionStage<String> stage = responder.respond(new SocketmapRequest("postfix", "example.com"));
        nextCall().result().complete(new DiscoveryResult.Found("1", ENFORCE));

        assertThat(answer(stage)).isEqualTo("OK secure match=mx.example.com servername=hostname");
    }

    @Test
    void answersAreCountedByResult() throws Exception {
        PolicyResponder responder = responder("");
        cached("example.com", ENFORCE);
        cached("example.net", TESTING);
        discovered("example.org", new DiscoveryResult.NoPolicy("_mta-sts.example.org: NXDOMAIN"));

        answer(responder.respond(new SocketmapRequest("postfix", "example.com")));
        answer(responder.respond(new SocketmapRequest("postfix", "example.net")));
        answer(responder.respond(new SocketmapRequest("postfix", "example.org")));
        answer(responder.respond(new SocketmapRequest("postfix", "[192.0.2.1]")));

        assertThat(lookups("secure")).isEqualTo(1);
        assertThat(lookups("not_enforced")).isEqualTo(1);
        assertThat(lookups("no_policy")).isEqualTo(1);
        assertThat(lookups("invalid_key")).isEqualTo(1);
        assertThat(lookups("timeout")).isZero();
    }

    @Test
    void overrideIsAnsweredInEveryZoneWithoutAskingTheCacheAndCounted() throws Exception {
        PolicyResponder responder = responder("""
                zones:
                  plain: {require_sni: false}
                  report: {tlsrpt: true, strict_testing: true}
                overrides:
                  legacy.example: none
                  partner.example: {secure: {match: [mx1.example.com, .example.net]}}
                  .dane.example: dane-only
                """);

        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "Partner.Example."))))
                .isEqualTo("OK secure match=mx1.example.com:.example.net servername=hostname");
        assertThat(answer(responder.respond(new SocketmapRequest("plain", "partner.example"))))
                .isEqualTo("OK secure match=mx1.example.com:.example.net");
        assertThat(answer(responder.respond(new SocketmapRequest("report", "partner.example"))))
                .isEqualTo("OK secure match=mx1.example.com:.example.net servername=hostname");
        assertThat(answer(responder.respond(new SocketmapRequest("report", "mx.dane.example")))).isEqualTo("OK dane-only");
        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "legacy.example")))).isEqualTo("NOTFOUND ");

        assertThat(calls).isEmpty();
        assertThat(cache.counters().misses() + cache.counters().hits()).isZero();
        assertThat(lookups("override")).isEqualTo(5);
        assertThat(lookups("no_policy")).isZero();
    }

    @Test
    void overrideWinsOverACachedPolicy() throws Exception {
        PolicyResponder responder = responder("overrides: {example.com: encrypt}\n");
        cached("example.com", ENFORCE);

        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "example.com")))).isEqualTo("OK encrypt");
        assertThat(cache.counters().hits()).isZero();
    }

    @Test
    void aParentOverrideLeavesTheDomainItselfToDiscovery() throws Exception {
        PolicyResponder responder = responder("overrides: {.example.com: dane}\n");

        assertThat(answer(responder.respond(new SocketmapRequest("postfix", "a.example.com")))).isEqualTo("OK dane");
        CompletionStage<String> own = responder.respond(new SocketmapRequest("postfix", "example.com"));
        Call call = nextCall();
        assertThat(call.domain()).isEqualTo("example.com");
        call.result().complete(new DiscoveryResult.Found("1", ENFORCE));

        assertThat(answer(own)).isEqualTo("OK secure match=mx.example.com servername=hostname");
    }
}
