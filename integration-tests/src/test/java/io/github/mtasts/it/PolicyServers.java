package io.github.mtasts.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.mtasts.it.TestDomain.Fault;
import io.github.mtasts.it.TestDomain.Publication;
import io.github.mtasts.testing.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy hosts: one JDK {@link HttpsServer} per publishing domain on port 443 of its
 * {@code mta-sts.<domain>} address, with a certificate for that name from the test CA (or a self-signed one
 * for a domain whose fetch must fail). Each serves the domain's policy at the RFC 8461 §3.3 path only.
 */
final class PolicyServers implements AutoCloseable {

    static final String POLICY_PATH = "/.well-known/mta-sts.txt";

    private final Map<String, HttpsServer> servers = new LinkedHashMap<>();
    private final TestCa ca;

    private PolicyServers(TestCa ca) {
        this.ca = ca;
    }

    static PolicyServers start(TestCa ca, List<TestDomain> domains) {
        PolicyServers all = new PolicyServers(ca);
        try {
            for (TestDomain domain : domains) {
                if (domain.publication() != Publication.NONE) {
                    all.servers.put(domain.name(), serve(ca, domain));
                }
            }
            return all;
        } catch (RuntimeException e) {
            all.close();
            throw e;
        }
    }

    /** Stops the policy host of {@code domain}: its address then refuses connections. */
    synchronized void stop(String domain) {
        HttpsServer server = servers.remove(domain);
        if (server != null) {
            server.stop(0);
        }
    }

    /** Starts the policy host of {@code domain} again after {@link #stop(String)}. */
    synchronized void restart(String domain) {
        if (!servers.containsKey(domain)) {
            servers.put(domain, serve(ca, TestZone.domain(domain)));
        }
    }

    private static HttpsServer serve(TestCa ca, TestDomain domain) {
        TestCa.Issued certificate = domain.publication() == Publication.FETCH_FAILS
                ? TestCa.selfSigned(domain.policyHost())
                : ca.issue(domain.has(Fault.POLICY_HOST_WRONG_NAME) ? "mta-sts.elsewhere.test" : domain.policyHost());
        String text = domain.policyText();
        if (domain.has(Fault.POLICY_OVERSIZE)) {
            // valid lines up to the limit and past it: only the size is wrong
            text = text + ("x: " + "y".repeat(1000) + "\n").repeat(70);
        }
        byte[] policy = text.getBytes(StandardCharsets.US_ASCII);
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(domain.policyAddress(), 443), 16);
            server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
            server.createContext("/", exchange -> respond(exchange, domain, policy));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the policy of " + domain.name() + " on "
                    + domain.policyAddress() + ":443", e);
        }
    }

    private static void respond(HttpExchange exchange, TestDomain domain, byte[] policy) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(POLICY_PATH) || domain.has(Fault.POLICY_NOT_FOUND)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (domain.has(Fault.POLICY_REDIRECT)) {
                // to a valid policy: only the redirect itself is wrong (RFC 8461 §3.3)
                exchange.getResponseHeaders().set("Location", "https://mta-sts.good.test" + POLICY_PATH);
                exchange.sendResponseHeaders(301, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type",
                    domain.has(Fault.POLICY_WRONG_CONTENT_TYPE) ? "text/html" : "text/plain");
            exchange.sendResponseHeaders(200, policy.length);
            exchange.getResponseBody().write(policy);
        }
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(server -> server.stop(0));
        servers.clear();
    }
}
