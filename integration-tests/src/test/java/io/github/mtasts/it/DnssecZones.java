package io.github.mtasts.it;

import io.github.mtasts.it.DaneDomain.DnssecZone;
import io.github.mtasts.it.DaneDomain.Tlsa;
import io.github.mtasts.it.TestDomain.Publication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The zones of the DANE scenarios ({@link DnssecZone}), written from the {@link DaneDomain}s with TLSA records
 * computed from the certificates the MX hosts present, signed at start with {@code ldns-keygen} and
 * {@code ldns-signzone} (a fresh key per run), and served by Debian's nsd on port 53 of {@code address}.
 */
final class DnssecZones implements AutoCloseable {

    private final Path dir;
    private final Map<DnssecZone, Path> trustAnchors;
    private final ServerProcess nsd;

    private DnssecZones(Path dir, Map<DnssecZone, Path> trustAnchors, ServerProcess nsd) {
        this.dir = dir;
        this.trustAnchors = trustAnchors;
        this.nsd = nsd;
    }

    /**
     * @param certificates the certificate each MX host presents, by host name
     * @param privateCa    the CA that DANE-TA records name
     */
    static DnssecZones start(Path dir, String address, List<DaneDomain> domains,
            Function<String, X509Certificate> certificates, X509Certificate privateCa) {
        try {
            Files.createDirectories(dir);
            Map<DnssecZone, Path> anchors = new EnumMap<>(DnssecZone.class);
            StringBuilder conf = new StringBuilder("""
                    server:
                      ip-address: %1$s
                      port: 53
                      username: ""
                      chroot: ""
                      database: ""
                      zonesdir: "%2$s"
                      zonelistfile: "%2$s/zone.list"
                      xfrdfile: "%2$s/xfrd.state"
                      xfrdir: "%2$s"
                      pidfile: "%2$s/nsd.pid"
                      logfile: "%2$s/nsd.log"
                      server-count: 1
                      do-ip6: no
                    remote-control:
                      control-enable: no
                    """.formatted(address, dir));
            for (DnssecZone zone : DnssecZone.values()) {
                List<DaneDomain> inZone = domains.stream().filter(d -> d.zone() == zone).toList();
                Path zoneFile = dir.resolve(zone.origin() + ".zone");
                Files.writeString(zoneFile, zoneText(zone, address, inZone, certificates, privateCa));
                if (zone.signed()) {
                    zoneFile = sign(dir, zone, zoneFile);
                    anchors.put(zone, dir.resolve(zone.origin() + ".ds"));
                }
                conf.append("zone:\n  name: ").append(zone.origin()).append("\n  zonefile: ").append(zoneFile)
                        .append('\n');
            }
            Path confFile = dir.resolve("nsd.conf");
            Files.writeString(confFile, conf);
            ServerProcess nsd = ServerProcess.start("nsd", List.of("nsd", "-d", "-c", confFile.toString()),
                    dir.resolve("nsd.out"), dir.resolve("nsd.log"), "nsd started");
            return new DnssecZones(dir, Map.copyOf(anchors), nsd);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the DNSSEC zones in " + dir, e);
        }
    }

    /** The DS record file of each signed zone: the validating resolver's trust anchors. */
    Map<DnssecZone, Path> trustAnchors() {
        return trustAnchors;
    }

    Path dir() {
        return dir;
    }

    static String zoneText(DnssecZone zone, String nsAddress, List<DaneDomain> domains,
            Function<String, X509Certificate> certificates, X509Certificate privateCa) {
        String origin = zone.origin() + ".";
        StringBuilder text = new StringBuilder("$TTL 300\n")
                // negative answers live 60 s (RFC 2308: the SOA minimum)
                .append(origin).append(" IN SOA ns.").append(origin).append(" hostmaster.").append(origin)
                .append(" 1 3600 600 86400 60\n")
                .append(origin).append(" IN NS ns.").append(origin).append('\n')
                .append("ns.").append(origin).append(" IN A ").append(nsAddress).append('\n');
        for (DaneDomain dane : domains) {
            TestDomain d = dane.domain();
            text.append(d.name()).append(". IN MX 10 ").append(dane.mxRecordTarget()).append(".\n");
            if (dane.aliasedMx()) {
                text.append(dane.mxAlias()).append(". IN CNAME ").append(d.mxHost()).append(".\n");
            }
            text.append(d.mxHost()).append(". IN A ").append(d.mxAddress()).append('\n');
            text.append("_smtp._tls.").append(d.name()).append(". IN TXT \"v=TLSRPTv1; rua=")
                    .append(DnsServer.TLSRPT_RUA).append("\"\n");
            if (d.publication() != Publication.NONE) {
                text.append(d.policyHost()).append(". IN A ").append(d.policyAddress()).append('\n');
                text.append("_mta-sts.").append(d.name()).append(". IN TXT \"v=STSv1; id=").append(d.number())
                        .append(";\"\n");
            }
            if (dane.tlsa() != Tlsa.NONE) {
                text.append(dane.tlsaOwner()).append(". IN TLSA ")
                        .append(tlsaData(dane.tlsa(), () -> certificates.apply(d.mxHost()), privateCa)).append('\n');
            }
        }
        return text.toString();
    }

    /** The TLSA RDATA in presentation form (RFC 6698 §2.2). */
    static String tlsaData(Tlsa tlsa, Supplier<X509Certificate> mxCertificate, X509Certificate privateCa) {
        try {
            return switch (tlsa) {
                case DANE_EE_MATCHING -> "3 1 1 " + sha256(mxCertificate.get().getPublicKey().getEncoded());
                // the SHA-256 of the SPKI of no key at all: certainly not the MX host's
                case DANE_EE_OTHER_KEY -> "3 1 1 " + sha256(new byte[] {0});
                case DANE_TA_ISSUER -> "2 0 1 " + sha256(privateCa.getEncoded());
                case NONE -> throw new IllegalArgumentException("no TLSA record");
            };
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs the zone with a new ECDSA P-256 key (one key signing everything) and writes its DS record. */
    private static Path sign(Path dir, DnssecZone zone, Path zoneFile) throws IOException {
        String key = Commands.check("sh", "-c", "cd \"$1\" && ldns-keygen -a ECDSAP256SHA256 -k -r /dev/urandom \"$2\"",
                "sh", dir.toString(), zone.origin()).stdout().strip();
        Files.move(dir.resolve(key + ".ds"), dir.resolve(zone.origin() + ".ds"));
        Path signed = dir.resolve(zone.origin() + ".zone.signed");
        Commands.check("ldns-signzone", "-f", signed.toString(), zoneFile.toString(), dir.resolve(key).toString());
        if (zone == DnssecZone.BOGUS_TLSA) {
            Files.writeString(signed, breakTlsaSignatures(Files.readString(signed)));
        }
        return signed;
    }

    /** The signed zone with one character of every TLSA RRSIG's signature changed, so validation fails. */
    static String breakTlsaSignatures(String signedZone) {
        List<String> lines = new ArrayList<>();
        int broken = 0;
        for (String line : signedZone.split("\n")) {
            String[] fields = line.split("\\s+");
            if (fields.length > 5 && fields[3].equals("RRSIG") && fields[4].equals("TLSA")) {
                int at = line.length() - 10;
                char replacement = line.charAt(at) == 'A' ? 'B' : 'A';
                line = line.substring(0, at) + replacement + line.substring(at + 1);
                broken++;
            }
            lines.add(line);
        }
        if (broken == 0) {
            throw new IllegalStateException("no TLSA signature to break in the signed zone");
        }
        return lines.stream().collect(Collectors.joining("\n", "", "\n"));
    }

    @Override
    public void close() {
        nsd.close();
    }
}
