package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.TlsaStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Counts the DNSSEC status of each discovered DANE state's MX lookup and TLSA lookups. */
final class DaneMetrics implements Consumer<DaneState> {

    private final Map<DnssecStatus, Counter> mx = new EnumMap<>(DnssecStatus.class);
    private final Map<TlsaStatus, Counter> tlsa = new EnumMap<>(TlsaStatus.class);

    DaneMetrics(MeterRegistry registry) {
        for (DnssecStatus status : DnssecStatus.values()) {
            mx.put(status, counter(registry, "mx", status.name()));
        }
        for (TlsaStatus status : TlsaStatus.values()) {
            tlsa.put(status, counter(registry, "tlsa", status.name()));
        }
    }

    private static Counter counter(MeterRegistry registry, String lookup, String status) {
        return Counter.builder("mtasts_dnssec_lookups").description("DANE lookups by DNSSEC status")
                .tag("lookup", lookup).tag("status", status.toLowerCase(Locale.ROOT)).register(registry);
    }

    @Override
    public void accept(DaneState state) {
        mx.get(state.mx()).increment();
        for (DaneHost host : state.hosts()) {
            tlsa.get(host.status()).increment();
        }
    }
}
