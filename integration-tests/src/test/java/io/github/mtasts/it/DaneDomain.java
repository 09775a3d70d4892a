package io.github.mtasts.it;

import java.util.Objects;

/**
 * A mail domain of the DNSSEC part of the world: a {@link TestDomain} (MX certificate, MTA-STS publication) in one
 * of the zones nsd serves, with the TLSA record its MX host publishes at {@code _25._tcp.<mx host>} (RFC 7672 §3).
 * With {@code aliasedMx}, its MX record names {@link #mxAlias()}, a CNAME of the MX host: the TLSA record is then at the
 * end of the CNAME chain, where Postfix looks first (RFC 7672 §2.2.2).
 */
public record DaneDomain(TestDomain domain, DnssecZone zone, Tlsa tlsa, boolean aliasedMx) {

    /** The zones nsd serves, each a subdomain of {@code test.}, which is unsigned. */
    public enum DnssecZone {
        /** Signed; the validating resolver has its key as trust anchor, so answers are secure. */
        SIGNED("dane.test"),
        /** Signed with a trust anchor, but every TLSA RRset's signature is broken: TLSA answers are bogus. */
        BOGUS_TLSA("bogus.test"),
        /** Not signed and without trust anchor: its TLSA records are insecure, which DANE ignores. */
        UNSIGNED("unsigned.test");

        private final String origin;

        DnssecZone(String origin) {
            this.origin = origin;
        }

        public String origin() {
            return origin;
        }

        boolean signed() {
            return this != UNSIGNED;
        }
    }

    /** What the MX host's TLSA record says about the certificate it presents. */
    public enum Tlsa {
        /** No TLSA record. */
        NONE,
        /** DANE-EE(3) SPKI(1) SHA2-256(1) of the MX certificate's public key. */
        DANE_EE_MATCHING,
        /** DANE-EE(3) SPKI(1) SHA2-256(1) of a key the MX host does not have. */
        DANE_EE_OTHER_KEY,
        /** DANE-TA(2) Cert(0) SHA2-256(1) of the private CA that issued the MX certificate. */
        DANE_TA_ISSUER
    }

    public DaneDomain {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(tlsa, "tlsa");
        if (!domain.name().endsWith("." + zone.origin())) {
            throw new IllegalArgumentException(domain.name() + " is not in zone " + zone.origin());
        }
    }

    public DaneDomain(TestDomain domain, DnssecZone zone, Tlsa tlsa) {
        this(domain, zone, tlsa, false);
    }

    public String name() {
        return domain.name();
    }

    /** The name the MX record names: the MX host, or with {@code aliasedMx} a CNAME of it. */
    public String mxRecordTarget() {
        return aliasedMx ? mxAlias() : domain.mxHost();
    }

    /** The CNAME of the MX host that the MX record names when {@code aliasedMx}. */
    public String mxAlias() {
        return "mxalias." + domain.name();
    }

    /** The owner name of the MX host's TLSA record (RFC 7672 §2.2.3: port 25, TCP). */
    public String tlsaOwner() {
        return "_25._tcp." + domain.mxHost();
    }
}
