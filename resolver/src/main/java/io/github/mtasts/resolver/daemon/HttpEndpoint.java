package io.github.mtasts.resolver.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP listener (the JDK's server) serving a fixed set of handlers by path: the daemon's {@code /metrics}
 * and whatever pages its caller adds, such as the dashboard the {@code cli} module wires in (the resolver knows
 * nothing of TLSRPT). Public so the milter process can serve its own counters the same way.
 */
public final class HttpEndpoint implements AutoCloseable {

    /** A page being rendered must not hold up a Prometheus scrape. */
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} and serves {@code handlers}; a request goes to the handler of the longest path that
     * prefixes its own (the JDK's rule), so a handler at {@code /} must answer 404 for paths it does not know.
     */
    public static HttpEndpoint start(String host, int port, Map<String, HttpHandler> handlers) throws IOException {
        Objects.requireNonNull(host, "host");
        if (handlers.isEmpty()) {
            throw new IllegalArgumentException("an HTTP listener without handlers");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        new LinkedHashMap<>(handlers).forEach(server::createContext);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread thread = new Thread(r, "http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        return new HttpEndpoint(server, executor);
    }

    /** {@code GET} the registry's meters in the Prometheus text format. */
    public static HttpHandler prometheus(PrometheusMeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return exchange -> scrape(registry, exchange);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void scrape(PrometheusMeterRegistry registry, HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
