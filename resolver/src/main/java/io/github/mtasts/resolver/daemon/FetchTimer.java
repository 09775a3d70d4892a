package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.discovery.FetchResult;
import io.github.mtasts.resolver.discovery.MtaStsDiscovery;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Measures every HTTPS policy fetch by outcome ({@code ok} or the failure type), for the metrics endpoint. */
final class FetchTimer implements MtaStsDiscovery.FetchObserver {

    private final MeterRegistry registry;

    FetchTimer(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void fetched(FetchResult result, long elapsedNanos) {
        String outcome = result instanceof FetchResult.Failure failure
                ? failure.type().name().toLowerCase(Locale.ROOT) : "ok";
        Timer.builder("mtasts_policy_fetch").description("HTTPS policy fetches by outcome")
                .tag("outcome", outcome).register(registry).record(elapsedNanos, TimeUnit.NANOSECONDS);
    }
}
