package io.github.mtasts.it;

import java.util.List;
import java.util.Objects;

/**
 * One mail domain of the test zone: its MX host and what that MX presents, and whether and how it publishes an
 * MTA-STS policy. Domain number {@code n} gets its MX at 127.0.1.n and {@code mta-sts.<domain>} at 127.0.2.n.
 */
public record TestDomain(String name, int number, String mxHost, MxTls mxTls, Publication publication,
        String policyMode, List<String> policyMx) {

    /** The certificate (or absence of STARTTLS) the domain's MX offers. */
    public enum MxTls {
        TRUSTED, SELF_SIGNED, EXPIRED, WRONG_NAME, UNTRUSTED_ISSUER, NO_STARTTLS
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

    public TestDomain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(mxTls, "mxTls");
        Objects.requireNonNull(publication, "publication");
        policyMx = List.copyOf(policyMx);
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

    /** The policy file as served at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}. */
    public String policyText() {
        StringBuilder text = new StringBuilder("version: STSv1\nmode: ").append(policyMode).append('\n');
        policyMx.forEach(mx -> text.append("mx: ").append(mx).append('\n'));
        return text.append("max_age: 86400\n").toString();
    }
}
