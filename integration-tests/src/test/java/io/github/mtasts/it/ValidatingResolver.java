package io.github.mtasts.it;

import io.github.mtasts.it.DaneDomain.DnssecZone;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's unbound as the namespace's resolver (port 53 of the address in resolv.conf): it validates DNSSEC with
 * the signed zones' keys as trust anchors and sets the AD bit that Postfix trusts from a loopback resolver. The
 * nsd zones are stub zones; the rest of {@code test.} is forwarded to dnsmasq without caching, because tests
 * change dnsmasq's records at run time.
 */
final class ValidatingResolver implements AutoCloseable {

    private final ServerProcess unbound;

    private ValidatingResolver(ServerProcess unbound) {
        this.unbound = unbound;
    }

    static ValidatingResolver start(Path dir, String address, String testZoneAddress, String dnssecZonesAddress,
            Map<DnssecZone, Path> trustAnchors) {
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("unbound.conf");
            Files.writeString(conf, config(dir, address, testZoneAddress, dnssecZonesAddress, trustAnchors));
            return new ValidatingResolver(ServerProcess.start("unbound", List.of("unbound", "-d", "-c",
                    conf.toString()), dir.resolve("unbound.out"), dir.resolve("unbound.log"), "start of service"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot configure unbound in " + dir, e);
        }
    }

    static String config(Path dir, String address, String testZoneAddress, String dnssecZonesAddress,
            Map<DnssecZone, Path> trustAnchors) {
        StringBuilder conf = new StringBuilder("""
                server:
                  interface: %1$s
                  port: 53
                  username: ""
                  chroot: ""
                  directory: "%2$s"
                  pidfile: "%2$s/unbound.pid"
                  use-syslog: no
                  logfile: "%2$s/unbound.log"
                  verbosity: 1
                  val-log-level: 2
                  do-ip6: no
                  do-not-query-localhost: no
                  module-config: "validator iterator"
                  qname-minimisation: no
                  # RFC 6761 names are local zones by default
                  local-zone: "test." nodefault
                  # no root trust anchor: test. is unsigned, only the anchored zones below it are secure
                  domain-insecure: "test."
                """.formatted(address, dir));
        trustAnchors.values().forEach(anchor -> conf.append("  trust-anchor-file: \"").append(anchor).append("\"\n"));
        conf.append("remote-control:\n  control-enable: no\n");
        for (DnssecZone zone : DnssecZone.values()) {
            conf.append("stub-zone:\n  name: \"").append(zone.origin()).append(".\"\n  stub-addr: ")
                    .append(dnssecZonesAddress).append('\n');
        }
        return conf.append("forward-zone:\n  name: \"test.\"\n  forward-addr: ").append(testZoneAddress)
                .append("\n  forward-no-cache: yes\n").toString();
    }

    @Override
    public void close() {
        unbound.close();
    }
}
