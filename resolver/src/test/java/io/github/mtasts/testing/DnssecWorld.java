package io.github.mtasts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Real DNSSEC for tests, on loopback and high ports, no root needed: Debian's {@code nsd} serves three zones
 * and {@code unbound} validates them with a trust anchor file, as a mail host's local resolver would.
 * <ul>
 * <li>{@code signed.test}: signed at start with {@code ldns-signzone} (NSEC), its DS is the trust anchor: secure;</li>
 * <li>{@code plain.test}: unsigned, under no trust anchor: insecure;</li>
 * <li>{@code bogus.test}: signed, but the trust anchor is the DS of another key: bogus (SERVFAIL from unbound).</li>
 * </ul>
 * The same {@link #trustAnchors()} file serves unbound and dnsjava's validator. {@code usable.signed.test},
 * {@code denied.signed.test} and {@code plain.test} publish an MTA-STS TXT record; their policy hosts are in the
 * test hosts file. As smart hosts ({@code [host]:port}, their own addresses and TLSA records): {@code usable} has a
 * usable TLSA record at port 587 only, {@code denied} at port 25 only, whatever their MX hosts publish.
 */
public final class DnssecWorld implements AutoCloseable {

    /** A DANE-EE SPKI SHA-256 record: usable (RFC 7672 §3.1.3). */
    public static final String USABLE_TLSA = "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    /** A PKIX-TA record: unusable in SMTP. */
    public static final String UNUSABLE_TLSA = "0 0 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path directory;
    private final int nsdPort;
    private final int unboundPort;
    private final List<Process> processes = new ArrayList<>();

    private DnssecWorld(Path directory, int nsdPort, int unboundPort) {
        this.directory = directory;
        this.nsdPort = nsdPort;
        this.unboundPort = unboundPort;
    }

    /** Signs the zones and starts nsd and unbound. */
    public static DnssecWorld start() {
        return start("");
    }

    /** As {@link #start()}, with more records (zone file lines, names relative to it) in {@code signed.test}. */
    public static DnssecWorld start(String signedRecords) {
        try {
            Path directory = Files.createTempDirectory("dnssec-world");
            int nsdPort = freePort();
            int unboundPort = freePort();
            while (unboundPort == nsdPort) {
                unboundPort = freePort();
            }
            DnssecWorld world = new DnssecWorld(directory, nsdPort, unboundPort);
            world.startServers(signedRecords);
            return world;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the DNSSEC world (apt-get install nsd unbound ldnsutils): "
                    + e.getMessage(), e);
        }
    }

    /** The validating resolver, unbound. */
    public InetSocketAddress resolver() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), unboundPort);
    }

    /** The DS records unbound validates from: {@code signed.test}'s, and a wrong one for {@code bogus.test}. */
    public Path trustAnchors() {
        return directory.resolve("anchors");
    }

    /** The servers' logs, for failure messages. */
    public String logs() {
        StringBuilder logs = new StringBuilder();
        for (String name : List.of("nsd.log", "unbound.log")) {
            try {
                logs.append(name).append(":\n").append(Files.readString(directory.resolve(name))).append('\n');
            } catch (IOException e) {
                logs.append(name).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return logs.toString();
    }

    private void startServers(String signedRecords) throws IOException {
        zone("signed.test", """
                usable IN MX 10 mx-usable.signed.test.
                mx-usable IN A 127.0.0.1
                _25._tcp.mx-usable IN TLSA %s
                unusable IN MX 10 mx-unusable.signed.test.
                mx-unusable IN A 127.0.0.1
                _25._tcp.mx-unusable IN TLSA %s
                denied IN MX 10 mx-denied.signed.test.
                mx-denied IN A 127.0.0.1
                mixed IN MX 10 mx-denied.signed.test.
                mixed IN MX 20 mx-usable.signed.test.
                nomx IN A 127.0.0.1
                _25._tcp.nomx IN TLSA %s
                cross IN MX 10 mx.plain.test.
                tobogus IN MX 10 mx.bogus.test.
                nullmx IN MX 0 .
                _mta-sts.usable IN TXT "v=STSv1; id=dane1"
                _mta-sts.denied IN TXT "v=STSv1; id=dane1"
                usable IN A 127.0.0.1
                _587._tcp.usable IN TLSA %s
                denied IN A 127.0.0.1
                _25._tcp.denied IN TLSA %s
                aliased IN MX 10 mx-alias.signed.test.
                mx-alias IN CNAME mx-usable.signed.test.
                aliasname IN MX 10 mx-alias2.signed.test.
                mx-alias2 IN CNAME mx-denied.signed.test.
                _25._tcp.mx-alias2 IN TLSA %s
                aliasplain IN MX 10 mx-toplain.signed.test.
                mx-toplain IN CNAME mx.plain.test.
                _25._tcp.mx-toplain IN TLSA %s
                """.formatted(USABLE_TLSA, UNUSABLE_TLSA, USABLE_TLSA, USABLE_TLSA, USABLE_TLSA, USABLE_TLSA,
                USABLE_TLSA) + signedRecords);
        zone("plain.test", """
                @ IN MX 10 mx.plain.test.
                mx IN A 127.0.0.1
                _25._tcp.mx IN TLSA %s
                _mta-sts IN TXT "v=STSv1; id=plain1"
                """.formatted(USABLE_TLSA));
        zone("bogus.test", """
                @ IN MX 10 mx.bogus.test.
                mx IN A 127.0.0.1
                _25._tcp.mx IN TLSA %s
                """.formatted(USABLE_TLSA));
        String signedKey = keygen("signed.test");
        sign("signed.test", signedKey);
        sign("bogus.test", keygen("bogus.test"));
        // bogus.test's anchor: the DS of a key that signed nothing
        String otherKey = keygen("bogus.test");
        Files.writeString(trustAnchors(), Files.readString(directory.resolve(signedKey + ".ds"))
                + Files.readString(directory.resolve(otherKey + ".ds")));

        Files.writeString(directory.resolve("nsd.conf"), """
                server:
                  ip-address: 127.0.0.1@%1$d
                  username: ""
                  chroot: ""
                  zonesdir: "%2$s"
                  database: ""
                  pidfile: "%2$s/nsd.pid"
                  zonelistfile: "%2$s/zone.list"
                  xfrdfile: "%2$s/xfrd.state"
                  xfrdir: "%2$s"
                  logfile: "%2$s/nsd.log"
                  server-count: 1
                remote-control:
                  control-enable: no
                zone:
                  name: signed.test
                  zonefile: signed.test.zone.signed
                zone:
                  name: bogus.test
                  zonefile: bogus.test.zone.signed
                zone:
                  name: plain.test
                  zonefile: plain.test.zone
                """.formatted(nsdPort, directory));
        Files.writeString(directory.resolve("unbound.conf"), """
                server:
                  interface: 127.0.0.1@%1$d
                  port: %1$d
                  username: ""
                  chroot: ""
                  directory: "%2$s"
                  pidfile: "%2$s/unbound.pid"
                  use-syslog: no
                  logfile: "%2$s/unbound.log"
                  do-daemonize: no
                  num-threads: 1
                  so-reuseport: no
                  access-control: 127.0.0.0/8 allow
                  do-not-query-localhost: no
                  module-config: "validator iterator"
                  trust-anchor-file: "%2$s/anchors"
                  local-zone: "test." nodefault
                  val-log-level: 2
                remote-control:
                  control-enable: no
                stub-zone:
                  name: "signed.test"
                  stub-addr: 127.0.0.1@%3$d
                stub-zone:
                  name: "bogus.test"
                  stub-addr: 127.0.0.1@%3$d
                stub-zone:
                  name: "plain.test"
                  stub-addr: 127.0.0.1@%3$d
                """.formatted(unboundPort, directory, nsdPort));
        launch("nsd.out", "nsd", "-d", "-c", directory.resolve("nsd.conf").toString());
        awaitAnswer(new InetSocketAddress(InetAddress.getLoopbackAddress(), nsdPort), "signed.test.");
        launch("unbound.out", "unbound", "-d", "-c", directory.resolve("unbound.conf").toString());
        awaitAnswer(resolver(), "usable.signed.test.");
    }

    private void zone(String name, String records) throws IOException {
        Files.writeString(directory.resolve(name + ".zone"), """
                $TTL 300
                @ IN SOA ns.%1$s. admin.%1$s. 1 3600 600 86400 60
                @ IN NS ns.%1$s.
                ns IN A 127.0.0.1
                """.formatted(name) + records);
    }

    /** A new KSK for {@code zone}; its files' base name. */
    private String keygen(String zone) throws IOException {
        return run("ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone).trim();
    }

    private void sign(String zone, String key) throws IOException {
        run("ldns-signzone", "-o", zone + ".", zone + ".zone", key);
    }

    private String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void launch(String output, String... command) throws IOException {
        processes.add(new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(directory.resolve(output).toFile()).start());
    }

    private void awaitAnswer(InetSocketAddress server, String name) throws IOException {
        SimpleResolver probe = new SimpleResolver(server);
        probe.setTimeout(Duration.ofMillis(300));
        Message query = Message.newQuery(Record.newRecord(Name.fromConstantString(name), Type.MX, 1));
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    close();
                    throw new IOException("a DNS server exited with " + process.exitValue() + ": " + logs());
                }
            }
            try {
                if (probe.send(query).getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        close();
        throw new IOException(server + " did not answer " + name + " within " + START_TIMEOUT + ": " + logs());
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        processes.clear();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                 ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                return udp.getLocalPort();
            } catch (IOException takenForTcp) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no port free for both UDP and TCP on loopback"));
    }
}
