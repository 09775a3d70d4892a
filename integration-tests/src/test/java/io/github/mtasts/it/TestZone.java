package io.github.mtasts.it;

import io.github.mtasts.it.DaneDomain.DnssecZone;
import io.github.mtasts.it.DaneDomain.Tlsa;
import io.github.mtasts.it.TestDomain.Fault;
import io.github.mtasts.it.TestDomain.MxTls;
import io.github.mtasts.it.TestDomain.Publication;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Stream;

/** The domains of the hermetic world, one per behaviour the scenarios need. */
public final class TestZone {

    public static final List<TestDomain> DOMAINS = List.of(
            enforce("good.test", 1, MxTls.TRUSTED),
            enforce("selfsigned.test", 2, MxTls.SELF_SIGNED),
            enforce("expired.test", 3, MxTls.EXPIRED),
            enforce("wrongname.test", 4, MxTls.WRONG_NAME),
            enforce("untrusted.test", 5, MxTls.UNTRUSTED_ISSUER),
            // the MX has a valid certificate for its own name, but the policy names another host
            new TestDomain("nomatch.test", 6, "mx.nomatch.test", MxTls.TRUSTED, Publication.PUBLISHED, "enforce",
                    List.of("mx.elsewhere.test")),
            enforce("nostarttls.test", 7, MxTls.NO_STARTTLS),
            // the MX would fail an enforced policy, so delivery shows whether the policy was enforced
            new TestDomain("testing.test", 8, "mx.testing.test", MxTls.SELF_SIGNED, Publication.PUBLISHED, "testing",
                    List.of("mx.testing.test")),
            new TestDomain("nopolicy.test", 9, "mx.nopolicy.test", MxTls.SELF_SIGNED, Publication.NONE, null,
                    List.of()),
            new TestDomain("fetchfail.test", 10, "mx.fetchfail.test", MxTls.SELF_SIGNED, Publication.FETCH_FAILS,
                    "enforce", List.of("mx.fetchfail.test")),
            // cached first, then its TXT record and policy host are withdrawn (downgrade attempt)
            enforce("downgrade.test", 11, MxTls.SELF_SIGNED),
            new TestDomain("wildcard.test", 12, "mx1.wildcard.test", MxTls.TRUSTED, Publication.PUBLISHED, "enforce",
                    List.of("*.wildcard.test")),
            new TestDomain("nonemode.test", 13, "mx.nonemode.test", MxTls.SELF_SIGNED, Publication.PUBLISHED, "none",
                    List.of()),
            // where the TLSRPT tests send their reports (the rua of every domain's _smtp._tls record)
            new TestDomain("reports.test", 14, "mx.reports.test", MxTls.TRUSTED, Publication.NONE, null, List.of()),
            // for `mtasts check` (issue 8): each correct but for the one thing its name says
            checked("chk-ipv6.test", 15, MxTls.TRUSTED, Fault.IPV6_MX),
            checked("chk-cnonly.test", 16, MxTls.CN_ONLY),
            checked("chk-expiring.test", 17, MxTls.EXPIRING_SOON),
            checked("chk-shortage.test", 18, MxTls.TRUSTED, Fault.SHORT_MAX_AGE),
            new TestDomain("chk-longtesting.test", 19, "mx.chk-longtesting.test", MxTls.TRUSTED, Publication.PUBLISHED,
                    "testing", List.of("mx.chk-longtesting.test"), Set.of(Fault.LONG_MAX_AGE)),
            new TestDomain("chk-unused.test", 20, "mx.chk-unused.test", MxTls.TRUSTED, Publication.PUBLISHED,
                    "enforce", List.of("mx.chk-unused.test", "mx.retired.test"), Set.of()),
            checked("chk-notlsrpt.test", 21, MxTls.TRUSTED, Fault.NO_TLSRPT_RECORD),
            checked("chk-badtlsrpt.test", 22, MxTls.TRUSTED, Fault.INVALID_TLSRPT_RECORD),
            checked("chk-badrua.test", 23, MxTls.TRUSTED, Fault.BAD_RUA_URI),
            new TestDomain("chk-deadmx.test", 24, "mx.chk-deadmx.test", MxTls.TRUSTED, Publication.PUBLISHED,
                    "enforce", List.of("*.chk-deadmx.test"), Set.of(Fault.DEAD_SECOND_MX)),
            checked("chk-redirect.test", 25, MxTls.TRUSTED, Fault.POLICY_REDIRECT),
            checked("chk-wrongtype.test", 26, MxTls.TRUSTED, Fault.POLICY_WRONG_CONTENT_TYPE),
            checked("chk-oversize.test", 27, MxTls.TRUSTED, Fault.POLICY_OVERSIZE),
            checked("chk-notfound.test", 28, MxTls.TRUSTED, Fault.POLICY_NOT_FOUND),
            checked("chk-badpolicy.test", 29, MxTls.TRUSTED, Fault.POLICY_SYNTAX_ERROR),
            checked("chk-twotxt.test", 30, MxTls.TRUSTED, Fault.TWO_STS_RECORDS),
            checked("chk-badtxt.test", 31, MxTls.TRUSTED, Fault.INVALID_STS_RECORD),
            checked("chk-policyname.test", 32, MxTls.TRUSTED, Fault.POLICY_HOST_WRONG_NAME));

    /**
     * Policy domains whose own name is also a host, at their MX's address, so a sending Postfix can relay through
     * {@code [domain]:25}: a smart host's next hop takes the policy of its host (RFC 8461 §3.4). good.test's MX
     * certificate matches its policy, nomatch.test's (valid, for mx.nomatch.test) does not.
     */
    public static final List<String> SMART_HOSTS = List.of("good.test", "nomatch.test");

    /**
     * The domains of the zones nsd serves (see {@link DaneDomain}), one per DANE scenario of issue 15. Each MX
     * host's TLSA record is computed from the certificate the receiving MX presents.
     */
    public static final List<DaneDomain> DANE_DOMAINS = List.of(
            // DANE and MTA-STS both valid
            dane(DnssecZone.SIGNED, "ee", 33, MxTls.TRUSTED, Tlsa.DANE_EE_MATCHING, true),
            // the TLSA record names another key: DANE fails where WebPKI (and so MTA-STS) passes
            dane(DnssecZone.SIGNED, "mismatch", 34, MxTls.TRUSTED, Tlsa.DANE_EE_OTHER_KEY, true),
            // DANE only: a self-signed certificate is fine for DANE-EE (RFC 7672 §3.1.1)
            dane(DnssecZone.SIGNED, "selfsigned", 35, MxTls.SELF_SIGNED, Tlsa.DANE_EE_MATCHING, false),
            // MTA-STS only, in a signed zone (the TLSA lookup is denied securely)
            dane(DnssecZone.SIGNED, "sts", 36, MxTls.TRUSTED, Tlsa.NONE, true),
            // DANE-TA(2) naming a private CA that no WebPKI trust store has
            dane(DnssecZone.SIGNED, "ta", 37, MxTls.UNTRUSTED_ISSUER, Tlsa.DANE_TA_ISSUER, true),
            // DANE-EE ignores the certificate's dates (RFC 7672 §3.1.1)
            dane(DnssecZone.SIGNED, "expired", 38, MxTls.EXPIRED, Tlsa.DANE_EE_MATCHING, true),
            // MTA-STS only in an unsigned zone, whose (wrong) TLSA record DANE must ignore as insecure
            dane(DnssecZone.UNSIGNED, "sts", 39, MxTls.TRUSTED, Tlsa.DANE_EE_OTHER_KEY, true),
            // a TLSA RRset whose signature fails validation: bogus, though it would match
            dane(DnssecZone.BOGUS_TLSA, "tlsa", 40, MxTls.TRUSTED, Tlsa.DANE_EE_MATCHING, true),
            // DANE requires TLS, which this MX host does not offer
            dane(DnssecZone.SIGNED, "nostarttls", 41, MxTls.NO_STARTTLS, Tlsa.DANE_EE_OTHER_KEY, false),
            // the MX record names a CNAME of the MX host, whose TLSA record names another key: DANE fails where
            // MTA-STS passes, as for "mismatch"
            new DaneDomain(enforce("alias.dane.test", 42, MxTls.TRUSTED), DnssecZone.SIGNED, Tlsa.DANE_EE_OTHER_KEY,
                    true));

    /** Every domain that has an MX host and (if it publishes one) a policy host in the world. */
    public static final List<TestDomain> ALL = Stream.concat(DOMAINS.stream(), DANE_DOMAINS.stream()
            .map(DaneDomain::domain)).toList();

    private TestZone() {
    }

    public static DaneDomain daneDomain(String name) {
        return DANE_DOMAINS.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no DANE test domain " + name));
    }

    public static TestDomain domain(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no test domain " + name));
    }

    private static TestDomain checked(String name, int number, MxTls mxTls, Fault... faults) {
        return new TestDomain(name, number, "mx." + name, mxTls, Publication.PUBLISHED, "enforce", List.of("mx." + name),
                Set.of(faults));
    }

    private static DaneDomain dane(DnssecZone zone, String label, int number, MxTls mxTls, Tlsa tlsa,
            boolean enforceSts) {
        String name = label + "." + zone.origin();
        TestDomain domain = enforceSts ? enforce(name, number, mxTls)
                : new TestDomain(name, number, "mx." + name, mxTls, Publication.NONE, null, List.of());
        return new DaneDomain(domain, zone, tlsa);
    }

    private static TestDomain enforce(String name, int number, MxTls mxTls) {
        return new TestDomain(name, number, "mx." + name, mxTls, Publication.PUBLISHED, "enforce", List.of("mx." + name));
    }
}
