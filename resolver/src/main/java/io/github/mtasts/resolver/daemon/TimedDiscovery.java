package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** Measures every discovery (DNS and HTTPS) by outcome, for the metrics endpoint. */
final class TimedDiscovery implements PolicyDiscovery {

    private final PolicyDiscovery delegate;
    private final MeterRegistry registry;

    TimedDiscovery(PolicyDiscovery delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    @Override
    public CompletableFuture<DiscoveryResult> discover(String domain, String knownTxtId) {
        Timer.Sample sample = Timer.start(registry);
        return delegate.discover(domain, knownTxtId).whenComplete((result, error) -> sample.stop(
                Timer.builder("mtasts_discovery").description("policy discoveries (TXT lookup and HTTPS fetch) by outcome")
                        .tag("outcome", outcome(result)).register(registry)));
    }

    private static String outcome(DiscoveryResult result) {
        if (result instanceof DiscoveryResult.Found) {
            return "found";
        }
        if (result instanceof DiscoveryResult.Unchanged) {
            return "unchanged";
        }
        if (result instanceof DiscoveryResult.NoPolicy) {
            return "no_policy";
        }
        if (result instanceof DiscoveryResult.Failed failed) {
            return failed.type().name().toLowerCase(Locale.ROOT);
        }
        return "error";
    }
}
