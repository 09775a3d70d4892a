package io.github.mtasts.it;

import io.github.mtasts.it.TestDomain.Fault;
import io.github.mtasts.it.TestDomain.Publication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Debian's dnsmasq serving the test zone on port 53 of {@code address} inside the namespace. It answers only
 * from its own records ({@code local=/test/}: anything else in the zone is NXDOMAIN), and {@code host-record}
 * gives NODATA for AAAA like a real zone. Records can be withdrawn, which restarts dnsmasq with the new zone.
 */
final class DnsServer implements AutoCloseable {

    static final String TLSRPT_RUA = "mailto:tlsrpt@reports.test";

    private final Path dir;
    private final String address;
    private final List<TestDomain> domains;
    private final Set<String> withdrawnStsRecords = new HashSet<>();
    private Process process;
    private int starts;

    private DnsServer(Path dir, String address, List<TestDomain> domains) {
        this.dir = dir;
        this.address = address;
        this.domains = domains;
    }

    static DnsServer start(Path dir, String address, List<TestDomain> domains) {
        DnsServer server = new DnsServer(dir, address, domains);
        server.startProcess();
        return server;
    }

    /** Removes the {@code _mta-sts} TXT record of {@code domain} from the zone. */
    synchronized void withdrawStsRecord(String domain) {
        withdrawnStsRecords.add(domain);
        stopProcess();
        startProcess();
    }

    /** Puts a withdrawn {@code _mta-sts} TXT record of {@code domain} back. */
    synchronized void restoreStsRecord(String domain) {
        if (withdrawnStsRecords.remove(domain)) {
            stopProcess();
            startProcess();
        }
    }

    String zoneConfig() {
        StringBuilder conf = new StringBuilder();
        conf.append("port=53\nlisten-address=").append(address).append("\nbind-interfaces\n")
                .append("no-resolv\nno-hosts\nno-poll\nuser=root\ngroup=root\nlog-queries\n")
                .append("local=/test/\nlocal=/in-addr.arpa/\n");
        for (TestDomain d : domains) {
            conf.append("mx-host=").append(d.name()).append(',').append(d.mxHost()).append(",10\n");
            conf.append("host-record=").append(d.mxHost()).append(',').append(d.mxAddress())
                    .append(d.has(Fault.IPV6_MX) ? ",::1" : "").append('\n');
            if (d.has(Fault.DEAD_SECOND_MX)) {
                conf.append("mx-host=").append(d.name()).append(',').append(d.deadMxHost()).append(",20\n");
                conf.append("host-record=").append(d.deadMxHost()).append(',').append(d.deadMxAddress()).append('\n');
            }
            conf.append("host-record=").append(d.policyHost()).append(',').append(d.policyAddress()).append('\n');
            if (TestZone.SMART_HOSTS.contains(d.name())) {
                conf.append("host-record=").append(d.name()).append(',').append(d.mxAddress()).append('\n');
            }
            if (d.publication() != Publication.NONE && !withdrawnStsRecords.contains(d.name())) {
                // RFC 8461 §3.1
                String id = d.has(Fault.INVALID_STS_RECORD) ? "not-alphanumeric" : String.valueOf(d.number());
                conf.append("txt-record=_mta-sts.").append(d.name()).append(",\"v=STSv1; id=").append(id)
                        .append(";\"\n");
                if (d.has(Fault.TWO_STS_RECORDS)) {
                    conf.append("txt-record=_mta-sts.").append(d.name()).append(",\"v=STSv1; id=").append(id)
                            .append("b;\"\n");
                }
            }
            // RFC 8460 §3, for the TLSRPT tests that reuse this world
            if (!d.has(Fault.NO_TLSRPT_RECORD)) {
                String rua = d.has(Fault.INVALID_TLSRPT_RECORD) ? ""
                        : "; rua=" + (d.has(Fault.BAD_RUA_URI) ? "mailto:" : TLSRPT_RUA);
                conf.append("txt-record=_smtp._tls.").append(d.name()).append(",\"v=TLSRPTv1").append(rua)
                        .append("\"\n");
            }
        }
        return conf.toString();
    }

    private void startProcess() {
        starts++;
        Path conf = dir.resolve("dnsmasq.conf");
        Path log = dir.resolve("dnsmasq-" + starts + ".log");
        try {
            Files.createDirectories(dir);
            Files.writeString(conf, zoneConfig() + "log-facility=" + log + "\n");
            process = new ProcessBuilder("dnsmasq", "--keep-in-foreground", "--conf-file=" + conf)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq-" + starts + ".out").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dnsmasq", e);
        }
        Waits.until("dnsmasq to start (" + log + ")", Waits.GENEROUS, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("dnsmasq exited " + process.exitValue() + ": " + read(dir.resolve(
                        "dnsmasq-" + starts + ".out")) + read(log));
            }
            return read(log).contains("started, version");
        });
    }

    private void stopProcess() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        stopProcess();
    }
}
