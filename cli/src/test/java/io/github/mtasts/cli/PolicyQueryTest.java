package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.ZoneConfig;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.TestCa;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mtasts query} against dnsmasq and real HTTPS policy hosts: what it prints and its exit code per outcome. */
@Timeout(60)
class PolicyQueryTest {

    static final String GOOD = "version: STSv1\nmode: enforce\nmx: mx.query-good.test\nmx: *.query-good.test\nmax_age: 86400\n";

    static TestCa ca;
    static DnsmasqServer dns;
    static PolicyHttpsServer https;
    static DaemonConfig config;
    static Path caFile;

    @BeforeAll
    static void world(@TempDir Path dir) throws Exception {
        ca = TestCa.create("query test CA");
        caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        dns = DnsmasqServer.builder()
                .txt("_mta-sts.query-good.test", "v=STSv1; id=q1")
                .txt("_mta-sts.query-testing.test", "v=STSv1; id=qt")
                .txt("_mta-sts.query-missing.test", "v=STSv1; id=qm")
                .start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.query-good.test", ca.issue("mta-sts.query-good.test").serverContext(), Response.policy(GOOD))
                .host("mta-sts.query-testing.test", ca.issue("mta-sts.query-testing.test").serverContext(),
                        Response.policy("version: STSv1\nmode: testing\nmx: mx.query-testing.test\nmax_age: 86400\n"))
                .host("mta-sts.query-missing.test", ca.issue("mta-sts.query-missing.test").serverContext(),
                        Response.status(404, "text/plain", "not here"))
                .start();
        config = ConfigLoader.parse("test", "ca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"" + dns.hostPort() + "\"]\n  timeout: 2\n");
    }

    @AfterAll
    static void stopWorld() {
        if (https != null) {
            https.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** The default zone without DANE: the answers of the Python daemon. */
    static final ZoneConfig OFF = new ZoneConfig(false, Duration.ofSeconds(4), true, false, DaneMode.OFF);

    private record Printed(int exitCode, String out, String err) {
    }

    private static Printed query(ZoneConfig zone, String domain, Optional<String> knownVersion) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new PolicyQuery(new PrintWriter(out), new PrintWriter(err), https.port())
                .run(config, zone, domain, knownVersion);
        return new Printed(exit, out.toString(), err.toString());
    }

    private static Printed query(String domain) {
        return query(OFF, domain, Optional.empty());
    }

    @Test
    void validPolicyPrintsTxtPolicyAndTheReplyAndExitsZero() {
        Printed printed = query("Query-Good.test.");

        assertThat(printed.exitCode()).as(printed.err()).isZero();
        assertThat(printed.out().lines()).containsExactly(
                "_mta-sts.query-good.test TXT: \"v=STSv1; id=q1\"",
                "policy id q1 from https://mta-sts.query-good.test:" + https.port() + "/.well-known/mta-sts.txt:",
                "  version: STSv1",
                "  mode: enforce",
                "  mx: mx.query-good.test",
                "  mx: *.query-good.test",
                "  max_age: 86400",
                "postfix reply: OK secure match=mx.query-good.test:.query-good.test servername=hostname");
    }

    @Test
    void replyIsRenderedForTheChosenZone() {
        Printed relaxed = query("query-testing.test");
        Printed strict = query(new ZoneConfig(true, Duration.ofSeconds(4), false, false, DaneMode.OFF), "query-testing.test",
                Optional.empty());

        assertThat(relaxed.exitCode()).isZero();
        assertThat(relaxed.out()).endsWith("postfix reply: NOTFOUND \n");
        assertThat(strict.exitCode()).isZero();
        assertThat(strict.out()).endsWith("postfix reply: OK secure match=mx.query-testing.test\n");
    }

    @Test
    void smartHostInBracketsGetsTheDaemonsReplyWithoutMxHostPatterns() {
        ZoneConfig tlsrpt = new ZoneConfig(false, Duration.ofSeconds(4), true, true, DaneMode.OFF);

        assertThat(query(tlsrpt, "[query-good.test]:25", Optional.empty()).out())
                .contains("postfix reply: OK secure match=mx.query-good.test:.query-good.test servername=hostname"
                        + " policy_type=sts policy_domain=query-good.test { policy_string = version: STSv1 }")
                .doesNotContain("mx_host_pattern");
        assertThat(query(tlsrpt, "query-good.test:25", Optional.empty()).out())
                .contains("mx_host_pattern=mx.query-good.test mx_host_pattern=*.query-good.test");
    }

    @Test
    void knownVersionMatchingTheTxtIdIsNotFetched() {
        int before = https.requests("mta-sts.query-good.test");

        Printed printed = query(OFF, "query-good.test", Optional.of("q1"));

        assertThat(printed.exitCode()).isZero();
        assertThat(printed.out()).contains("policy id q1 unchanged");
        assertThat(https.requests("mta-sts.query-good.test")).isEqualTo(before);
    }

    @Test
    void domainWithoutTxtRecordExitsOneWithNotFound() {
        Printed printed = query("query-absent.test");

        assertThat(printed.exitCode()).isEqualTo(PolicyQuery.NO_POLICY);
        assertThat(printed.out().lines()).containsExactly(
                "_mta-sts.query-absent.test TXT: none (_mta-sts.query-absent.test: NXDOMAIN)",
                "no policy: _mta-sts.query-absent.test: NXDOMAIN",
                "postfix reply: NOTFOUND ");
    }

    @Test
    void failedFetchExitsThreeNamingTheCause() {
        Printed printed = query("query-missing.test");

        assertThat(printed.exitCode()).isEqualTo(PolicyQuery.DISCOVERY_FAILED);
        assertThat(printed.err()).contains("POLICY_FETCH_ERROR").contains("HTTP status 404");
        assertThat(printed.out()).contains("postfix reply: NOTFOUND \n");
    }

    @Test
    void keyThatCannotHaveAPolicyExitsOneWithoutAnyLookup() {
        int queries = dns.log().split("query\\[").length;

        for (String key : List.of("[192.0.2.1]", "192.0.2.1", ".example.com", "a..example.com")) {
            Printed printed = query(key);
            assertThat(printed.exitCode()).as(key).isEqualTo(PolicyQuery.NO_POLICY);
            assertThat(printed.out()).as(key).startsWith("postfix reply: NOTFOUND (no lookup: ");
        }
        assertThat(dns.log().split("query\\[").length).isEqualTo(queries);
    }

    @Test
    void theTxtRecordIsAskedOnceThoughItIsPrintedAndUsed() {
        int before = dns.log().split("query\\[TXT\\] _mta-sts.query-good.test").length;

        assertThat(query("query-good.test").exitCode()).isZero();

        assertThat(dns.log().split("query\\[TXT\\] _mta-sts.query-good.test").length).isEqualTo(before + 1);
    }

    /**
     * Issue #17 item 13: against a name server that never answers, bin/mtasts query took twice the timeout it
     * reported, because it looked the TXT record up once to print it and again to discover. Now it asks once, says
     * which timeout ran out, and exits.
     */
    @Test
    void blackHoledDnsIsAskedOnceAndTheReportedTimeoutIsTheOneThatRanOut(@TempDir Path dir) throws Exception {
        try (BlackHoleDns blackHole = new BlackHoleDns()) {
            Path yml = Files.writeString(dir.resolve("query.yml"),
                    "dns:\n  nameservers: [\"127.0.0.1:" + blackHole.port() + "\"]\n  timeout: 2\n");

            Launchers.Result run = Launchers.run("mtasts", "query", "-c", yml.toString(), "black-holed.test");

            String failure = "_mta-sts.black-holed.test TXT: timeout after PT2S asking [/127.0.0.1:" + blackHole.port() + "]";
            assertThat(run.exitCode()).as(run.err()).isEqualTo(PolicyQuery.DISCOVERY_FAILED);
            assertThat(run.out()).startsWith("_mta-sts.black-holed.test TXT: lookup failed (" + failure + ")\n");
            assertThat(run.err()).contains("discovery failed (DNS_FAILURE): " + failure);
            assertThat(blackHole.udpQueries()).isEqualTo(1);
        }
    }

    /** A name server on 127.0.0.1 that reads every UDP query and TCP connection and never answers. */
    private static final class BlackHoleDns implements AutoCloseable {

        private DatagramSocket udp;
        private ServerSocket tcp;
        private final AtomicInteger udpQueries = new AtomicInteger();
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        BlackHoleDns() throws IOException {
            // a free UDP port is not always free for TCP: try others until both bind
            for (int attempt = 1; ; attempt++) {
                DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                ServerSocket t = new ServerSocket();
                try {
                    t.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), u.getLocalPort()));
                    udp = u;
                    tcp = t;
                    break;
                } catch (java.net.BindException taken) {
                    u.close();
                    t.close();
                    if (attempt == 50) {
                        throw taken;
                    }
                }
            }
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[512];
                while (!udp.isClosed()) {
                    try {
                        udp.receive(new DatagramPacket(buffer, buffer.length));
                        udpQueries.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "black-hole-udp");
            Thread acceptor = new Thread(() -> {
                while (!tcp.isClosed()) {
                    try {
                        held.add(tcp.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "black-hole-tcp");
            reader.setDaemon(true);
            acceptor.setDaemon(true);
            reader.start();
            acceptor.start();
        }

        int port() {
            return udp.getLocalPort();
        }

        int udpQueries() {
            return udpQueries.get();
        }

        @Override
        public void close() throws IOException {
            udp.close();
            tcp.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void helpDocumentsEveryExitCode() {
        CommandRun help = CommandRun.of(new QueryCommand((c, z, d, k) -> 0, List.of()), "--help");

        assertThat(help.out()).contains("Exit codes:")
                .contains("0   a valid policy").contains("1   the domain publishes no policy")
                .contains("2   usage or configuration error").contains("3   discovery failed");
    }

    @Test
    void overriddenDomainShowsItsDiscoveryButTheReplyAndExitCodeAreTheOverrides() throws Exception {
        DaemonConfig overridden = ConfigLoader.parse("test", "ca_file: " + caFile + "\n"
                + "dns:\n  nameservers: [\"" + dns.hostPort() + "\"]\n  timeout: 2\n"
                + "overrides:\n  query-good.test: dane-only\n  query-missing.test: none\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PolicyQuery query = new PolicyQuery(new PrintWriter(out), new PrintWriter(err), https.port());

        int exit = query.run(overridden, OFF, "query-good.test", Optional.empty());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("the discovered policy would answer: OK secure match=mx.query-good.test")
                .endsWith("postfix reply: OK dane-only (from the override for query-good.test; the daemon answers it"
                        + " without discovery)" + System.lineSeparator());

        out.getBuffer().setLength(0);
        exit = query.run(overridden, OFF, "query-missing.test", Optional.empty());

        assertThat(exit).as("NOTFOUND from the override, not the failed discovery").isEqualTo(PolicyQuery.NO_POLICY);
        assertThat(out.toString()).contains("postfix reply: NOTFOUND  (from the override for query-missing.test")
                .doesNotContain("keeps answering with it");
    }
}
