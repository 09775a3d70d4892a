package io.github.mtasts.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;

/**
 * Real HTTPS policy hosts for tests: one {@link HttpsServer} per host name, each on the loopback address that
 * name has in the test hosts file ({@code -Djdk.net.hosts.file}, see {@code src/test/resources/test-hosts}),
 * all on one shared free port, each with its own certificate and behaviour. Counts requests per host.
 *
 * <pre>{@code
 * try (PolicyHttpsServer https = PolicyHttpsServer.builder()
 *         .host("mta-sts.good.test", ca.issue("mta-sts.good.test").serverContext(), Response.policy(text))
 *         .start()) { ... https.port() ... }
 * }</pre>
 */
public final class PolicyHttpsServer implements AutoCloseable {

    private final List<HttpsServer> servers = new ArrayList<>();
    private final Map<String, AtomicInteger> requests = new LinkedHashMap<>();
    private final Map<String, List<String>> serverNames = new ConcurrentHashMap<>();
    private final Map<String, Map<String, List<String>>> lastHeaders = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "policy-https");
        t.setDaemon(true);
        return t;
    });
    private int port;

    private PolicyHttpsServer() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The HTTPS port every host listens on. */
    public int port() {
        return port;
    }

    /** Requests {@code host} has received (any path). */
    public int requests(String host) {
        AtomicInteger count = requests.get(host);
        if (count == null) {
            throw new IllegalArgumentException("not a host of this server: " + host);
        }
        return count.get();
    }

    /** SNI host names that requests to {@code host} arrived with, in order (none when a client sent no SNI). */
    public List<String> serverNames(String host) {
        requests(host);
        return List.copyOf(serverNames.getOrDefault(host, List.of()));
    }

    /** The headers of the last request to {@code host}, by lower-case name; empty before the first. */
    public Map<String, List<String>> lastRequestHeaders(String host) {
        requests(host);
        return lastHeaders.getOrDefault(host, Map.of());
    }

    @Override
    public void close() {
        closing.countDown();
        servers.forEach(s -> s.stop(0));
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a host answers to every request. */
    public sealed interface Response {

        /** 200, {@code text/plain}, {@code body} with Content-Length. */
        static Response policy(String body) {
            return status(200, "text/plain", body);
        }

        /** {@code status} with {@code body} in UTF-8; no Content-Type header when {@code contentType} is null. */
        static Response status(int status, String contentType, String body) {
            return new Fixed(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        /** 200 with {@code contentType} and exactly {@code body}. */
        static Response bytes(String contentType, byte[] body) {
            return new Fixed(200, contentType, body.clone());
        }

        /** {@code status} (3xx) with {@code Location}. */
        static Response redirect(int status, String location) {
            return new Redirect(status, location);
        }

        /** 200 text/plain with {@code bytes} bytes of a valid-looking policy line repeated, with or without Content-Length. */
        static Response large(int bytes, boolean contentLength) {
            return new Large(bytes, contentLength);
        }

        /** Accepts the request and never answers. */
        /** Whatever {@code current} holds when a request arrives: a test changes the policy a host serves. */
        static Response changing(AtomicReference<Response> current) {
            return new Changing(current);
        }

        static Response hang() {
            return new Hang(false);
        }

        /** Sends 200 headers and part of a body, then stalls. */
        static Response hangInBody() {
            return new Hang(true);
        }
    }

    record Fixed(int status, String contentType, byte[] body) implements Response {}

    record Redirect(int status, String location) implements Response {}

    record Large(int bytes, boolean contentLength) implements Response {}

    record Hang(boolean afterHeaders) implements Response {}

    record Changing(AtomicReference<Response> current) implements Response {}

    public static final class Builder {
        private record Host(String name, SSLContext tls, Response response) {}

        private final List<Host> hosts = new ArrayList<>();

        private Builder() {
        }

        /** {@code name} must have a loopback address in the test hosts file. */
        public Builder host(String name, SSLContext tls, Response response) {
            hosts.add(new Host(name, tls, response));
            return this;
        }

        public PolicyHttpsServer start() {
            PolicyHttpsServer server = new PolicyHttpsServer();
            try {
                for (Host host : hosts) {
                    InetAddress address = loopbackOf(host.name());
                    HttpsServer https = HttpsServer.create(new InetSocketAddress(address, server.port), 16);
                    server.port = https.getAddress().getPort();
                    https.setHttpsConfigurator(new HttpsConfigurator(host.tls()));
                    https.setExecutor(server.executor);
                    AtomicInteger count = new AtomicInteger();
                    server.requests.put(host.name(), count);
                    https.createContext("/", exchange -> {
                        server.record(host.name(), (HttpsExchange) exchange);
                        count.incrementAndGet();
                        server.respond(exchange, host.response());
                    });
                    https.start();
                    server.servers.add(https);
                }
            } catch (IOException | RuntimeException e) {
                server.close();
                throw new IllegalStateException("cannot start policy HTTPS hosts: " + e.getMessage(), e);
            }
            return server;
        }

        private static InetAddress loopbackOf(String name) {
            try {
                InetAddress address = InetAddress.getByName(name);
                if (!address.isLoopbackAddress()) {
                    throw new IllegalStateException(name + " resolves to " + address + ", not loopback: is -Djdk.net.hosts.file set?");
                }
                return address;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(name + " is not in the test hosts file (-Djdk.net.hosts.file)", e);
            }
        }
    }

    private void record(String host, HttpsExchange exchange) {
        if (exchange.getSSLSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName name : session.getRequestedServerNames()) {
                if (name instanceof SNIHostName hostName) {
                    serverNames.computeIfAbsent(host, h -> new CopyOnWriteArrayList<>()).add(hostName.getAsciiName());
                }
            }
        }
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        lastHeaders.put(host, headers);
    }

    private void respond(HttpExchange exchange, Response configured) throws IOException {
        Response response = configured instanceof Changing changing ? changing.current().get() : configured;
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (response instanceof Fixed fixed) {
                byte[] body = fixed.body();
                if (fixed.contentType() != null) {
                    exchange.getResponseHeaders().set("Content-Type", fixed.contentType());
                }
                exchange.sendResponseHeaders(fixed.status(), body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
            } else if (response instanceof Redirect redirect) {
                exchange.getResponseHeaders().set("Location", redirect.location());
                exchange.sendResponseHeaders(redirect.status(), -1);
            } else if (response instanceof Large large) {
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                // length 0 means chunked transfer: the client learns the size only by reading
                exchange.sendResponseHeaders(200, large.contentLength() ? large.bytes() : 0);
                writeLarge(exchange.getResponseBody(), large.bytes());
            } else if (response instanceof Hang hang) {
                if (hang.afterHeaders()) {
                    exchange.getResponseHeaders().set("Content-Type", "text/plain");
                    exchange.sendResponseHeaders(200, 0);
                    exchange.getResponseBody().write("version: STSv1\r\n".getBytes(StandardCharsets.US_ASCII));
                    exchange.getResponseBody().flush();
                }
                awaitClose();
            }
        } catch (IOException e) {
            // the client gave up (oversize, timeout): expected in these tests
        }
    }

    private static void writeLarge(OutputStream out, int bytes) throws IOException {
        byte[] line = "mx: padding.example.test\r\n".getBytes(StandardCharsets.US_ASCII);
        int written = 0;
        while (written < bytes) {
            int n = Math.min(line.length, bytes - written);
            out.write(line, 0, n);
            written += n;
        }
    }

    private void awaitClose() {
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
