package io.github.mtasts.it;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One mail domain of the test zone: its MX host and what that MX presents, and whether and how it publishes an
 * MTA-STS policy. Domain number {@code n} gets its MX at 127.0.1.n and {@code mta-sts.<domain>} at 127.0.2.n.
 */
public record TestDomain(String name, int number, String mxHost, MxTls mxTls, Publication publication,
        String policyMode, List<String> policyMx, Set<Fault> faults) {

    /** The certificate (or absence of STARTTLS) the domain's MX offers. */
    public enum MxTls {
        TRUSTED, SELF_SIGNED, EXPIRED, WRONG_NAME, UNTRUSTED_ISSUER, NO_STARTTLS,
        /** From the test CA, naming the MX only in the subject's Common Name, without a Subject Alternative Name. */
        CN_ONLY,
        /** From the test CA, for the MX name, expiring in five days. */
        EXPIRING_SOON
    }

    /**
     * What a domain does differently from a correct set-up, besides its MX certificate: one per item that
     * {@code mtasts check} reports as WARN or FAIL (issue 8), so that each is shown by a domain of its own.
     */
    public enum Fault {
        /** Two {@code _mta-sts} TXT records beginning with v=STSv1 (RFC 8461 §3.1 allows one). */
        TWO_STS_RECORDS,
        /** An {@code _mta-sts} TXT record whose id breaks the §3.1 grammar. */
        INVALID_STS_RECORD,
        /** The policy host answers 301 to another URL. */
        POLICY_REDIRECT,
        /** The policy host answers 404. */
        POLICY_NOT_FOUND,
        /** The policy is served as text/html. */
        POLICY_WRONG_CONTENT_TYPE,
        /** The policy body is larger than any sender accepts (64 KiB here). */
        POLICY_OVERSIZE,
        /** The policy's max_age line lacks its colon (line 4). */
        POLICY_SYNTAX_ERROR,
        /** The policy host's certificate, from the test CA, names another host. */
        POLICY_HOST_WRONG_NAME,
        /** max_age 3600: under one day. */
        SHORT_MAX_AGE,
        /** max_age 30 days: with mode testing, a trial left running. */
        LONG_MAX_AGE,
        /** The MX host also has an IPv6 address (::1), served by the same listener set-up. */
        IPV6_MX,
        /** A second MX host, preference 20, whose address (127.0.3.n) nobody listens on. */
        DEAD_SECOND_MX,
        /** No {@code _smtp._tls} TXT record. */
        NO_TLSRPT_RECORD,
        /** A {@code _smtp._tls} TXT record without its required rua field. */
        INVALID_TLSRPT_RECORD,
        /** A {@code _smtp._tls} TXT record whose rua is a mailto URI without a recipient. */
        BAD_RUA_URI
    }

    /** How the domain publishes its policy (RFC 8461 §3). */
    public enum Publication {
        /** No {@code _mta-sts} TXT record. */
        NONE,
        /** TXT record and the policy on a host with a certificate from the test CA. */
        PUBLISHED,
        /** TXT record, but the policy host's certificate is self-signed, so the fetch fails. */
        FETCH_FAILS
    }

    /** A domain without {@linkplain Fault faults}. */
    public TestDomain(String name, int number, String mxHost, MxTls mxTls, Publication publication, String policyMode,
            List<String> policyMx) {
        this(name, number, mxHost, mxTls, publication, policyMode, policyMx, Set.of());
    }

    public TestDomain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(mxTls, "mxTls");
        Objects.requireNonNull(publication, "publication");
        policyMx = List.copyOf(policyMx);
        faults = Set.copyOf(faults);
        if (number < 1 || number > 254) {
            throw new IllegalArgumentException("domain number must be 1..254: " + number);
        }
        if (publication != Publication.NONE && (policyMode == null || policyMx.isEmpty() && !"none".equals(policyMode))) {
            throw new IllegalArgumentException(name + ": a published policy needs a mode and mx patterns");
        }
    }

    public String mxAddress() {
        return "127.0.1." + number;
    }

    public String policyHost() {
        return "mta-sts." + name;
    }

    public String policyAddress() {
        return "127.0.2." + number;
    }

    public boolean has(Fault fault) {
        return faults.contains(fault);
    }

    /** The second MX host of a {@link Fault#DEAD_SECOND_MX} domain. */
    public String deadMxHost() {
        return "dead." + name;
    }

    /** Where nothing listens: the address of {@link #deadMxHost()}. */
    public String deadMxAddress() {
        return "127.0.3." + number;
    }

    /** The policy file as served at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}. */
    public String policyText() {
        StringBuilder text = new StringBuilder("version: STSv1\nmode: ").append(policyMode).append('\n');
        policyMx.forEach(mx -> text.append("mx: ").append(mx).append('\n'));
        long maxAge = has(Fault.SHORT_MAX_AGE) ? 3600 : has(Fault.LONG_MAX_AGE) ? 30 * 86400 : 86400;
        return text.append(has(Fault.POLICY_SYNTAX_ERROR) ? "max_age " : "max_age: ").append(maxAge).append('\n')
                .toString();
    }
}
