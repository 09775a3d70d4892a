package io.github.mtasts.resolver.config;

import io.github.mtasts.resolver.policy.PolicyOverrides;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The whole daemon configuration, read once at start-up by {@link ConfigLoader}. The first eleven
 * components are the Python {@code postfix-mta-sts-resolver} daemon's keys with its meaning and defaults
 * (except {@link #cache}, whose default is a SQLite file); the rest are ours.
 *
 * @param host            TCP listen address, used when {@code path} is empty
 * @param port            TCP listen port, used when {@code path} is empty
 * @param path            UNIX socket to listen on instead of TCP
 * @param mode            file mode given to the UNIX socket (e.g. 0666)
 * @param socketOwner     user and group given to the UNIX socket ({@code owner}, {@code group}: ours)
 * @param reusePort       set SO_REUSEPORT so a second instance can take over the port
 * @param shutdownTimeout time granted to open connections to finish on shutdown
 * @param cacheGrace      a cached policy younger than this is answered without checking the TXT id
 * @param zones           socketmap names with their own settings; other names use {@code defaultZone}
 * @param caFile          PEM bundle replacing the JDK's trust store for policy fetches
 * @param http            where the HTTP listener of {@code metrics} and the dashboard (the tlsrpt module's
 *                        {@code dashboard:} section) binds
 * @param metrics         whether the listener serves {@code GET /metrics}
 * @param overrides       fixed answers by domain, given before the cache and discovery are asked
 * @param preload         policy domains discovered at start and kept fresh without a lookup
 * @param dnssec          where the DNSSEC status of DANE lookups comes from
 */
public record DaemonConfig(String host, int port, Optional<Path> path, OptionalInt mode, SocketOwner socketOwner,
                           boolean reusePort,
                           Duration shutdownTimeout, Duration cacheGrace, CacheConfig cache,
                           ProactiveFetchConfig proactivePolicyFetching, ZoneConfig defaultZone,
                           Map<String, ZoneConfig> zones, Optional<Path> caFile, DnsConfig dns,
                           HttpConfig http, boolean metrics, SocketmapConfig socketmap, PolicyOverrides overrides,
                           List<String> preload, DnssecConfig dnssec) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8461;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_CACHE_GRACE = Duration.ofSeconds(60);

    public DaemonConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(socketOwner, "socketOwner");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(cacheGrace, "cacheGrace");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(proactivePolicyFetching, "proactivePolicyFetching");
        Objects.requireNonNull(defaultZone, "defaultZone");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(socketmap, "socketmap");
        Objects.requireNonNull(overrides, "overrides");
        preload = List.copyOf(preload);
        Objects.requireNonNull(dnssec, "dnssec");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        // insertion order kept so that `config check` prints zones as written
        zones = Collections.unmodifiableMap(new LinkedHashMap<>(zones));
    }

    /** Every default; what an empty configuration file means. */
    public static DaemonConfig defaults() {
        return new DaemonConfig(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), OptionalInt.empty(),
                SocketOwner.UNCHANGED, true,
                DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_CACHE_GRACE, CacheConfig.Sqlite.DEFAULT,
                ProactiveFetchConfig.DEFAULT, ZoneConfig.DEFAULT, Map.of(), Optional.empty(),
                DnsConfig.DEFAULT, HttpConfig.DEFAULT, false, SocketmapConfig.DEFAULT, PolicyOverrides.NONE, List.of(),
                DnssecConfig.DEFAULT);
    }

    /** The zone a socketmap request name selects; unknown names get the default zone, like the Python daemon. */
    public ZoneConfig zone(String name) {
        return zones.getOrDefault(name, defaultZone);
    }

    /**
     * This configuration with every zone's {@code dane} decided once at start: {@code auto} is {@code on} when
     * {@code autoOn}; no zone is {@code on} without a trustworthy DNSSEC status source.
     */
    public DaemonConfig withDaneDecided(boolean autoOn, boolean sourceAvailable) {
        Map<String, ZoneConfig> decided = new LinkedHashMap<>();
        zones.forEach((name, zone) -> decided.put(name, zone.withDaneDecided(autoOn, sourceAvailable)));
        return new DaemonConfig(host, port, path, mode, socketOwner, reusePort, shutdownTimeout, cacheGrace, cache,
                proactivePolicyFetching, defaultZone.withDaneDecided(autoOn, sourceAvailable), decided, caFile, dns,
                http, metrics, socketmap, overrides, preload, dnssec);
    }

    /** Whether any zone's {@code dane} is {@code mode}. */
    public boolean anyZoneDane(DaneMode mode) {
        return defaultZone.dane() == mode || zones.values().stream().anyMatch(zone -> zone.dane() == mode);
    }
}
