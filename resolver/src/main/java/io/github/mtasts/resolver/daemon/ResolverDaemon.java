package io.github.mtasts.resolver.daemon;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.cache.DaneStateCache;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.discovery.DnsDaneDiscovery;
import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ProactiveFetchConfig;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.discovery.MtaStsDiscovery;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.refresh.PolicyPreloader;
import io.github.mtasts.resolver.refresh.ProactiveRefresher;
import io.github.mtasts.resolver.socketmap.CacheAdminResponder;
import io.github.mtasts.resolver.socketmap.InheritedListener;
import io.github.mtasts.resolver.socketmap.PolicyResponder;
import io.github.mtasts.resolver.socketmap.SocketmapServer;
import io.github.mtasts.resolver.socketmap.SocketmapServerSettings;
import io.github.mtasts.resolver.socketmap.SocketmapTransport;
import io.github.mtasts.resolver.socketmap.UnixSocketOwnership;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.PolicyStores;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resolver daemon assembled from its configuration: DNS and HTTPS discovery, the policy cache over its store,
 * the socketmap server (with the {@code mtasts cache} commands' admin map beside Postfix's) and, when something is
 * served on it, the HTTP listener ({@code /metrics} and the pages the caller adds). {@link #start()} returns once
 * Postfix can be answered.
 */
public final class ResolverDaemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResolverDaemon.class);
    /** How long a policy fetch may take when no zone asks for longer; RFC 8461 leaves it to the sender. */
    static final Duration MIN_FETCH_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long after listening the discovery warm-up waits, unless a discovery starts first: on a busy machine it
     * delayed the first answers from the store by 50–120 ms when it ran at once (docs/BENCHMARKS.md).
     */
    static final Duration WARM_UP_DELAY = Duration.ofMillis(500);

    private final DaemonConfig config;
    /** Prometheus only when metrics are on; else meters without children, which record nothing. */
    private final Optional<PrometheusMeterRegistry> prometheus;
    private final MeterRegistry registry;
    private final PolicyStore store;
    private final PolicyCache cache;
    /** Present when {@code proactive_policy_fetching} is enabled. */
    private final Optional<ProactiveRefresher> refresher;
    private final PolicyPreloader preloader;
    private final SocketmapServer server;
    private final UnixSocketOwnership socketOwnership;
    private final MtaStsDiscovery mtaSts;
    /** Counted down by the first discovery: the warm-up then starts at once, running beside its DNS query. */
    private final CountDownLatch discoveryStarted = new CountDownLatch(1);
    /** Completes once the discovery warm-up is over: true when it prepared TLS, false when it failed. */
    private final CompletableFuture<Boolean> discoveryWarmUp = new CompletableFuture<>();
    private volatile Optional<HttpEndpoint> http = Optional.empty();
    private volatile Optional<Thread> warmUp = Optional.empty();
    private volatile CompletableFuture<Integer> preloading = CompletableFuture.completedFuture(0);

    public ResolverDaemon(DaemonConfig config) {
        this(config, PolicyFetcher.HTTPS_PORT);
    }

    /** @param policyPort HTTPS port of policy hosts: 443 except in tests */
    ResolverDaemon(DaemonConfig config, int policyPort) {
        this(config, policyPort, trust(config));
    }

    /** @param trust the SSLContext validating policy hosts, built on first use (tests pass a failing one) */
    ResolverDaemon(DaemonConfig configured, int policyPort, Supplier<SSLContext> trust) {
        Duration longestZone = Stream.concat(Stream.of(configured.defaultZone()), configured.zones().values().stream())
                .map(ZoneConfig::timeout).max(Duration::compareTo).orElseThrow();
        DaneSetup.Decision dane = DaneSetup.decide(configured, configured.dns().timeout().orElse(longestZone));
        DaemonConfig config = dane.config();
        this.config = config;
        this.prometheus = config.metrics()
                ? Optional.of(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                : Optional.empty();
        this.registry = prometheus.<MeterRegistry>map(r -> r).orElseGet(CompositeMeterRegistry::new);
        // before the store opens: a transport this system cannot run stops start-up with nothing to close
        SocketmapTransport transport = SocketmapTransport.select(config.socketmap().transport(), config.path().isPresent());
        List<InheritedListener> inherited = inheritedSockets();
        this.socketOwnership = config.path().isPresent() && inherited.isEmpty()
                ? socketOwnership(config) : UnixSocketOwnership.UNCHANGED;
        this.store = PolicyStores.open(config.cache());
        this.mtaSts = new MtaStsDiscovery(dns(config, longestZone), new PolicyFetcher(
                max(longestZone, MIN_FETCH_TIMEOUT), trust, PolicyFetcher.environmentProxy(), policyPort),
                new FetchTimer(registry));
        PolicyDiscovery discovery = new TimedDiscovery((domain, knownTxtId) -> {
            discoveryStarted.countDown();
            return mtaSts.discover(domain, knownTxtId);
        }, registry);
        CacheSettings cacheSettings = cacheSettings(config);
        this.cache = new PolicyCache(discovery, store, cacheSettings, config.overrides(), Clock.systemUTC());
        this.refresher = cacheSettings.proactive().enabled()
                ? Optional.of(new ProactiveRefresher(cache, cacheSettings.proactive(), Clock.systemUTC(),
                        config.preload()))
                : Optional.empty();
        // half the discovery slots at most, so a lookup arriving during the preload finds one free
        this.preloader = new PolicyPreloader(cache, config.preload(), Math.max(1, Math.min(
                cacheSettings.proactive().concurrencyLimit(), cacheSettings.maxConcurrentDiscoveries() / 2)));
        CacheMetrics.bind(cache.counters(), registry);
        Optional<DaneStateCache> daneStates = dane.dnssec().map(dnssec -> new DaneStateCache(
                new DnsDaneDiscovery(dnssec), Clock.systemUTC(), cacheSettings.maxEntries(), new DaneMetrics(registry)));
        this.server = new SocketmapServer(serverSettings(config, longestZone),
                new CacheAdminResponder(new PolicyResponder(config, cache, daneStates, registry), cache, daneStates), transport, inherited);
        Gauge.builder("mtasts_socketmap_connections", server, SocketmapServer::openConnections)
                .description("open socketmap connections").register(registry);
    }

    /** Sockets systemd passed (socket activation); a malformed hand-over stops start-up, naming the descriptor. */
    private static List<InheritedListener> inheritedSockets() {
        try {
            return InheritedListener.fromSystemd();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** A user or group missing on this machine stops start-up before anything opens, naming the key. */
    private static UnixSocketOwnership socketOwnership(DaemonConfig config) {
        try {
            return UnixSocketOwnership.lookUp(config.socketOwner().user(), config.socketOwner().group());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static DnsTxtLookup dns(DaemonConfig config, Duration longestZone) {
        Duration timeout = config.dns().timeout().orElse(longestZone);
        return config.dns().nameservers().isEmpty()
                ? DnsTxtLookup.system(timeout)
                : DnsTxtLookup.using(config.dns().nameservers(), timeout);
    }

    /** A bad {@code ca_file} stops start-up here; the SSLContext itself is built after the daemon listens. */
    private static Supplier<SSLContext> trust(DaemonConfig config) {
        if (config.caFile().isEmpty()) {
            return PolicyFetcher::defaultTrust;
        }
        Path caFile = config.caFile().get();
        KeyStore certificates = PolicyFetcher.readCaFile(caFile);
        return () -> PolicyFetcher.trusting(caFile, certificates);
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
                longestZone.plusSeconds(1), SocketmapServerSettings.DEFAULT_REQUEST_TIMEOUT);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** {@link #start(HttpAccess, Map)} without pages of the caller's or credentials. */
    public void start() throws IOException {
        start(HttpAccess.OPEN, Map.of());
    }

    /**
     * Loads the stored policies, starts refreshing, then listens: a restart opens no downgrade window.
     *
     * @param access who may use the HTTP listener, every path of it: the {@code dashboard:} credentials when set
     * @param pages  handlers by path for the HTTP listener next to {@code /metrics} (the dashboard at {@code /});
     *               the listener binds {@code http.host:port} when metrics are enabled or there is a page
     */
    public void start(HttpAccess access, Map<String, HttpEndpoint.Handler> pages) throws IOException {
        int loaded = cache.warmStart().join();
        LOG.info("{} unexpired policies loaded from the {} store", loaded, config.cache().type());
        cache.start();
        refresher.ifPresent(ProactiveRefresher::start);
        Map<String, HttpEndpoint.Handler> handlers = new LinkedHashMap<>(pages);
        prometheus.ifPresent(r -> handlers.put("/metrics", HttpEndpoint.prometheus(r)));
        if (!handlers.isEmpty()) {
            // the dashboard's credentials guard every path (the configuration refuses an open non-loopback listener)
            http = Optional.of(HttpEndpoint.start(config.http().host(), config.http().port(), access, handlers));
            http.get().registerMetrics(registry);
            InetSocketAddress address = http.get().address();
            LOG.info("serving {} on http://{}:{}", String.join(" ", handlers.keySet()), address.getHostString(),
                    address.getPort());
        }
        server.start();
        if (config.path().isPresent() && socketOwnership != UnixSocketOwnership.UNCHANGED) {
            socketOwnership.applyTo(config.path().get());
        }
        LOG.info("answering socketmap requests on {}", server.localAddress());
        // in the background: neither start-up nor the first answers wait for it
        preloading = preloader.run();
        if (!config.preload().isEmpty() && refresher.isEmpty()) {
            LOG.info("preload: {} domains discovered now; without proactive_policy_fetching they are refreshed only"
                    + " when looked up", config.preload().size());
        }
        // After listening and WARM_UP_DELAY (or the first discovery), so that answers from the store are not
        // delayed; on a thread of its own at the lowest priority. The first fetch waits for what it is building.
        Thread thread = new Thread(this::warmUpDiscovery, "mtasts-discovery-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        warmUp = Optional.of(thread);
    }

    /**
     * Builds the TLS context and the HTTPS client and loads the DNS, TLS and policy code off the network, so that
     * the first discovery pays only for its queries and connection. A failure here costs nothing but that: the
     * first fetch builds TLS itself and reports its own error.
     */
    private void warmUpDiscovery() {
        try {
            discoveryStarted.await(WARM_UP_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            long started = System.nanoTime();
            mtaSts.warmUp();
            LOG.debug("discovery warm-up done in {} ms: TLS context and HTTPS client ready",
                    (System.nanoTime() - started) / 1_000_000);
            discoveryWarmUp.complete(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.debug("discovery warm-up failed, the first policy fetch prepares TLS itself: {}", e.toString());
        } finally {
            discoveryWarmUp.complete(false);  // unless it completed above; also after an Error
        }
    }

    /** The discovery warm-up {@link #start(Map)} begins: true once it prepared TLS, false if it failed. */
    CompletableFuture<Boolean> discoveryWarmUp() {
        return discoveryWarmUp;
    }

    /** The preload {@link #start(Map)} began: completes with the number of preloaded domains that have a policy. */
    CompletableFuture<Integer> preloading() {
        return preloading;
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
        warmUp.ifPresent(Thread::interrupt);  // a daemon stopped within WARM_UP_DELAY needs no TLS
        server.close(config.shutdownTimeout());
        http.ifPresent(HttpEndpoint::close);
        refresher.ifPresent(ProactiveRefresher::close);
        cache.close();
        store.close();
        registry.close();
    }
}
