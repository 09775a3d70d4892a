package io.github.mtasts.resolver.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where TXT lookups go.
 *
 * @param nameservers empty to use the system's resolver configuration ({@code /etc/resolv.conf})
 * @param timeout     per-lookup limit; empty to be bounded by the zone's {@code timeout} only
 */
public record DnsConfig(List<InetSocketAddress> nameservers, Optional<Duration> timeout) {

    public static final DnsConfig DEFAULT = new DnsConfig(List.of(), Optional.empty());

    public DnsConfig {
        nameservers = List.copyOf(nameservers);
        Objects.requireNonNull(timeout, "timeout");
    }
}
