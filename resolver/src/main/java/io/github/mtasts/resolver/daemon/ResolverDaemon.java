package io.github.mtasts.resolver.daemon;

import com.sun.net.httpserver.HttpHandler;
import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.cache.PolicyStore;
import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ProactiveFetchConfig;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.discovery.DnsTxtLookup;
import io.github.mtasts.resolver.discovery.MtaStsDiscovery;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.socketmap.PolicyResponder;
import io.github.mtasts.resolver.socketmap.SocketmapServer;
import io.github.mtasts.resolver.socketmap.SocketmapServerSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resolver daemon assembled from its configuration: DNS and HTTPS discovery, the policy cache over its store,
 * the socketmap server and, when something is served on it, the HTTP listener ({@code /metrics} and the pages the
 * caller adds). {@link #start()} returns once Postfix can be answered.
 */
public final class ResolverDaemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResolverDaemon.class);
    /** How long a policy fetch may take when no zone asks for longer; RFC 8461 leaves it to the sender. */
    static final Duration MIN_FETCH_TIMEOUT = Duration.ofSeconds(10);

    private final DaemonConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PolicyStore store;
    private final PolicyCache cache;
    private final SocketmapServer server;
    private volatile Optional<HttpEndpoint> http = Optional.empty();

    public ResolverDaemon(DaemonConfig config) {
        this(config, PolicyFetcher.HTTPS_PORT);
    }

    /** @param policyPort HTTPS port of policy hosts: 443 except in tests */
    ResolverDaemon(DaemonConfig config, int policyPort) {
        this.config = config;
        Duration longestZone = Stream.concat(Stream.of(config.defaultZone()), config.zones().values().stream())
                .map(ZoneConfig::timeout).max(Duration::compareTo).orElseThrow();
        this.store = PolicyStores.open(config.cache());
        PolicyDiscovery discovery = new TimedDiscovery(new MtaStsDiscovery(dns(config, longestZone),
                fetcher(config, max(longestZone, MIN_FETCH_TIMEOUT), policyPort)), registry);
        this.cache = new PolicyCache(discovery, store, cacheSettings(config), Clock.systemUTC());
        CacheMetrics.bind(cache.counters(), registry);
        this.server = new SocketmapServer(serverSettings(config, longestZone),
                new PolicyResponder(config, cache, registry));
        Gauge.builder("mtasts_socketmap_connections", server, SocketmapServer::openConnections)
                .description("open socketmap connections").register(registry);
    }

    private static DnsTxtLookup dns(DaemonConfig config, Duration longestZone) {
        Duration timeout = config.dns().timeout().orElse(longestZone);
        return config.dns().nameservers().isEmpty()
                ? DnsTxtLookup.system(timeout)
                : DnsTxtLookup.using(config.dns().nameservers(), timeout);
    }

    private static PolicyFetcher fetcher(DaemonConfig config, Duration timeout, int port) {
        return new PolicyFetcher(timeout,
                config.caFile().map(PolicyFetcher::trustFrom).orElseGet(PolicyFetcher::defaultTrust),
                PolicyFetcher.environmentProxy(), port);
    }

    private static CacheSettings cacheSettings(DaemonConfig config) {
        ProactiveFetchConfig proactive = config.proactivePolicyFetching();
        CacheSettings settings = CacheSettings.withCacheGrace(config.cacheGrace())
                .withProactive(new CacheSettings.ProactiveFetching(proactive.enabled(), proactive.interval(),
                        proactive.concurrencyLimit(), proactive.graceRatio()));
        if (config.cache() instanceof CacheConfig.Internal internal) {
            settings = new CacheSettings(settings.cacheGrace(), settings.noPolicyTtl(), settings.failureTtl(),
                    settings.maxConcurrentDiscoveries(), internal.cacheSize(), settings.proactive());
        }
        return settings;
    }

    private static SocketmapServerSettings serverSettings(DaemonConfig config, Duration longestZone) {
        SocketmapServerSettings base = config.path().isPresent()
                ? SocketmapServerSettings.unix(config.path().get(), config.mode())
                : SocketmapServerSettings.tcp(config.host(), config.port());
        return new SocketmapServerSettings(base.host(), base.port(), base.path(), base.mode(), config.reusePort(),
                config.socketmap().maxRequestLength(), config.socketmap().maxConnections(),
                config.socketmap().idleTimeout(),
                // the responder answers at the zone timeout; this deadline only catches our own bugs
                longestZone.plusSeconds(1));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** {@link #start(Map)} without pages of the caller's. */
    public void start() throws IOException {
        start(Map.of());
    }

    /**
     * Loads the stored policies, starts refreshing, then listens: a restart opens no downgrade window.
     *
     * @param pages handlers by path for the HTTP listener next to {@code /metrics} (the dashboard at {@code /});
     *              the listener binds {@code http.host:port} when metrics are enabled or there is a page
     */
    public void start(Map<String, HttpHandler> pages) throws IOException {
        int loaded = cache.warmStart().join();
        LOG.info("{} unexpired policies loaded from the {} store", loaded, config.cache().type());
        cache.start();
        Map<String, HttpHandler> handlers = new LinkedHashMap<>(pages);
        if (config.metrics()) {
            handlers.put("/metrics", HttpEndpoint.prometheus(registry));
        }
        if (!handlers.isEmpty()) {
            http = Optional.of(HttpEndpoint.start(config.http().host(), config.http().port(), handlers));
            InetSocketAddress address = http.get().address();
            LOG.info("serving {} on http://{}:{}", String.join(" ", handlers.keySet()), address.getHostString(),
                    address.getPort());
        }
        server.start();
        LOG.info("answering socketmap requests on {}", server.localAddress());
    }

    /** The store behind the policy cache, for a page to show what is cached; the daemon owns and closes it. */
    public PolicyStore policyStore() {
        return store;
    }

    public SocketAddress socketmapAddress() {
        return server.localAddress();
    }

    /** Where the HTTP listener listens, once started with something to serve. */
    public Optional<InetSocketAddress> httpAddress() {
        return http.map(HttpEndpoint::address);
    }

    /** Graceful stop: in-flight answers are completed (up to {@code shutdown_timeout}), then the store is closed. */
    @Override
    public void close() {
        server.close(config.shutdownTimeout());
        http.ifPresent(HttpEndpoint::close);
        cache.close();
        store.close();
        registry.close();
    }
}
