package io.github.mtasts.it;

import io.github.mtasts.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The hermetic mail world: the test zone on dnsmasq, the DNSSEC zones on nsd, a validating resolver (unbound)
 * in front of both, the policy hosts, the receiving MX hosts and a test CA,
 * all inside the network namespace that {@code src/test/netns-jvm/bin/java} put this JVM into. One world serves
 * every test class of a run (see {@link MailWorldExtension}); scenarios get fresh sending Postfix instances.
 */
public final class MailWorld implements AutoCloseable {

    /** The socketmap address Postfix is pointed at, as in a real deployment. */
    public static final String SOCKETMAP_HOST = "127.0.0.1";
    public static final int SOCKETMAP_PORT = 8461;

    /** Where dnsmasq serves the test zone; the validating resolver forwards {@code test.} to it. */
    private static final String TEST_ZONE_ADDRESS = "127.0.5.1";
    /** Where nsd serves the DNSSEC zones of the DANE scenarios. */
    private static final String DNSSEC_ZONES_ADDRESS = "127.0.5.2";

    private final Path dir;
    private final String dnsAddress;
    private final TestCa ca;
    private final TestCa otherCa;
    private final Path caFile;
    private final AtomicInteger instances = new AtomicInteger();
    private DnsServer dns;
    private PolicyServers policyServers;
    private ReceivingMx mx;
    private DnssecZones dnssecZones;
    private ValidatingResolver resolver;

    private MailWorld(Path dir, String dnsAddress) {
        this.dir = dir;
        this.dnsAddress = dnsAddress;
        this.ca = TestCa.create("mtasts test CA");
        this.otherCa = TestCa.create("untrusted issuer");
        this.caFile = dir.resolve("ca.pem");
    }

    /** Starts the world in the directory and namespace the wrapper prepared; fails clearly outside it. */
    public static MailWorld start() {
        String dirName = System.getenv("MTASTS_IT_DIR");
        String dnsAddress = System.getenv("MTASTS_IT_DNS");
        if (dirName == null || dnsAddress == null || System.getenv("MTASTS_IT_NETNS") == null) {
            throw new IllegalStateException("the mail world runs only inside the network namespace set up by "
                    + "integration-tests/src/test/netns-jvm/bin/java (surefire's <jvm>): run it through Maven as root");
        }
        MailWorld world = new MailWorld(Path.of(dirName), dnsAddress);
        try {
            Files.createDirectories(world.dir);
            world.ca.writePem(world.caFile);
            world.dns = DnsServer.start(world.dir.resolve("dns"), TEST_ZONE_ADDRESS, TestZone.DOMAINS);
            world.policyServers = PolicyServers.start(world.ca, TestZone.ALL);
            world.mx = ReceivingMx.start(world.dir, world.dir.resolve("mx"), world.ca, world.otherCa, TestZone.ALL);
            world.dnssecZones = DnssecZones.start(world.dir.resolve("dnssec"), DNSSEC_ZONES_ADDRESS,
                    TestZone.DANE_DOMAINS, world.mx::certificate, world.otherCa.certificate());
            world.resolver = ValidatingResolver.start(world.dir.resolve("resolver"), world.dnsAddress,
                    TEST_ZONE_ADDRESS, DNSSEC_ZONES_ADDRESS, world.dnssecZones.trustAnchors());
            return world;
        } catch (Exception e) {
            world.close();
            throw new IllegalStateException("cannot start the mail world in " + world.dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * Where the validating resolver listens (port 53); the namespace's resolv.conf points here, so Postfix and
     * our daemon trust its AD bit as they would a resolver on loopback.
     */
    public String dnsAddress() {
        return dnsAddress;
    }

    /** The test CA's certificate (PEM): Postfix's {@code smtp_tls_CAfile} and the daemon's {@code ca_file}. */
    public Path caFile() {
        return caFile;
    }

    /** A TLS client context trusting the test CA only, for tests that talk to the world's servers directly. */
    public SSLContext clientContext() {
        return ca.clientContext();
    }

    /** A fresh directory under the world for one scenario's files. */
    public Path newDirectory(String prefix) {
        return dir.resolve(prefix + "-" + instances.incrementAndGet());
    }

    /** A fresh sending Postfix whose {@code smtp_tls_policy_maps} is {@code tlsPolicyMaps}. */
    public SendingPostfix newSender(String tlsPolicyMaps) {
        return newSender(PostfixBuild.DEBIAN, tlsPolicyMaps, Map.of());
    }

    /** A fresh sending Postfix of {@code build} with {@code settings} added to the usual main.cf. */
    public SendingPostfix newSender(PostfixBuild build, String tlsPolicyMaps, Map<String, String> settings) {
        return SendingPostfix.start(build, dir, newDirectory("send"), caFile, tlsPolicyMaps, settings, List.of());
    }

    /** Like {@link #newSender(PostfixBuild, String, Map)}, also listening with the master.cf {@code listeners}. */
    public SendingPostfix newSender(PostfixBuild build, String tlsPolicyMaps, Map<String, String> settings,
            List<String> listeners) {
        return SendingPostfix.start(build, dir, newDirectory("send"), caFile, tlsPolicyMaps, settings, listeners);
    }

    /**
     * A fresh sending Postfix able to do DANE (RFC 7672): DNSSEC lookups through the validating resolver, with
     * {@code settings} added to its main.cf (such as a global {@code smtp_tls_security_level = dane}).
     */
    public SendingPostfix newDaneSender(String tlsPolicyMaps, Map<String, String> settings) {
        return newDaneSender(PostfixBuild.DEBIAN, tlsPolicyMaps, settings);
    }

    /** Like {@link #newDaneSender(String, Map)}, a Postfix of {@code build}. */
    public SendingPostfix newDaneSender(PostfixBuild build, String tlsPolicyMaps, Map<String, String> settings) {
        Map<String, String> dane = new HashMap<>(settings);
        dane.put("smtp_dns_support_level", "dnssec");
        // Postfix checks at start that the resolver validates by asking for the root's NS records, which this
        // world does not have: ask for a signed zone's instead
        dane.put("dnssec_probe", "ns:" + DaneDomain.DnssecZone.SIGNED.origin());
        return SendingPostfix.start(build, dir, newDirectory("send"), caFile, tlsPolicyMaps, dane, List.of());
    }

    /** Whether the message sent to {@code recipient} is in its domain's Maildir. */
    public boolean inMailbox(String recipient) {
        return !mx.messagesContaining(recipient.substring(recipient.indexOf('@') + 1), "marker " + recipient).isEmpty();
    }

    /** The messages delivered so far to {@code domain}'s Maildir whose text contains {@code marker}. */
    public List<Path> messagesContaining(String domain, String marker) {
        return mx.messagesContaining(domain, marker);
    }

    /** The receiving MX hosts' log so far. */
    public List<String> mxLog() {
        return mx.instance().logLines();
    }

    /** Sets (or with {@code value} null removes) an smtpd parameter of {@code domain}'s MX listener only. */
    public void setMxListenerParameter(String domain, String name, String value) {
        mx.setListenerParameter(domain, name, value);
    }

    /** Waits until the message sent to {@code recipient} is in its domain's Maildir. */
    public void awaitInMailbox(String recipient) {
        Waits.until("the message to " + recipient + " in the receiver's Maildir", Waits.GENEROUS,
                () -> inMailbox(recipient));
    }

    /** {@code postmap -q KEY TABLE}, with the receiving instance's configuration (postmap needs one). */
    public Commands.Result postmap(String key, String table) {
        return Commands.run("postmap", "-c", mx.instance().configDir().toString(), "-q", key, table);
    }

    /** A downgrade attempt: the domain's {@code _mta-sts} record disappears and its policy host goes away. */
    public void withdrawPolicy(String domain) {
        dns.withdrawStsRecord(domain);
        policyServers.stop(domain);
    }

    /** Undoes {@link #withdrawPolicy(String)}, so the world is as every other test expects it. */
    public void restorePolicy(String domain) {
        dns.restoreStsRecord(domain);
        policyServers.restart(domain);
    }

    @Override
    public void close() {
        if (resolver != null) {
            resolver.close();
        }
        if (dnssecZones != null) {
            dnssecZones.close();
        }
        if (mx != null) {
            mx.close();
        }
        if (policyServers != null) {
            policyServers.close();
        }
        if (dns != null) {
            dns.close();
        }
    }
}
