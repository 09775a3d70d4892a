package io.github.mtasts.resolver.policy;

import java.util.Objects;

/**
 * Where Postfix's own DANE lookups for a next hop start (RFC 7672 §2.2), read from the socketmap key: a domain
 * ({@code domain}, {@code domain:port}) through its MX hosts (§2.2.1), a bracketed host ({@code [host]},
 * {@code [host]:port}, a smart host) by itself without an MX lookup (§2.2.2). Postfix 3.11 ({@code smtp_connect.c},
 * {@code tls_dane.c}) looks up the TLSA records of each host it connects to at the next hop's port, 25 when the key
 * names none, and only when that host's address records are secure.
 *
 * @param name     the domain whose MX hosts are looked up, or the host connected to
 * @param port     the TCP port connected to, whose TLSA records count
 * @param mxLookup whether Postfix looks up the MX records of {@code name}
 */
public record DaneTarget(String name, int port, boolean mxLookup) {

    public static final int SMTP_PORT = 25;

    public DaneTarget {
        Objects.requireNonNull(name, "name");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a TCP port: " + port);
        }
    }

    /** A domain reached through its MX hosts on port 25, the way mail to {@code user@domain} goes. */
    public static DaneTarget mx(String domain) {
        return new DaneTarget(domain, SMTP_PORT, true);
    }

    /** The target of the socketmap {@code key}, which {@link DomainKey#parse(String)} accepted as {@code domain}. */
    public static DaneTarget of(String key, DomainKey domain) {
        // an accepted key has at most one ':', the one before its port (IPv6 literals are refused)
        int colon = key.lastIndexOf(':');
        int port = colon < 0 ? SMTP_PORT : Integer.parseInt(key, colon + 1, key.length(), 10);
        return new DaneTarget(domain.domain(), port, !DomainKey.skipsMxLookup(key));
    }

    /** The owner name of {@code host}'s TLSA records for this target's port (RFC 6698 §3). */
    public String tlsaName(String host) {
        return "_" + port + "._tcp." + host;
    }

    /** The next hop as Postfix writes it, normalised: {@code domain}, {@code domain:port}, {@code [host]:port}. */
    @Override
    public String toString() {
        String host = mxLookup ? name : "[" + name + "]";
        return port == SMTP_PORT ? host : host + ":" + port;
    }
}
