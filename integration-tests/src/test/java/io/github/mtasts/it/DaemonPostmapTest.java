package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4, scenario 8: what Postfix's own client gets from our daemon, through
 * {@code postmap -q KEY socketmap:inet:127.0.0.1:8461:ZONE}. postmap prints the value without the socketmap
 * {@code OK } status and exits 0; for {@code NOTFOUND } it prints nothing and exits 1 (as it also does for a
 * fatal error, hence the check that stderr stays empty). Every domain of the test zone has its expected reply
 * here; a domain added to {@link TestZone} without one fails {@code everyDomainOfTheTestZoneHasAnExpectedReply}.
 */
@ExtendWith(MailWorldExtension.class)
class DaemonPostmapTest {

    private static final String NOT_FOUND = "NOTFOUND";

    /** Zone {@code postfix}'s reply for every domain of the test zone, {@code NOT_FOUND} for none. */
    private static final Map<String, String> POSTFIX_ZONE_REPLIES = Map.ofEntries(
            Map.entry("good.test", "secure match=mx.good.test servername=hostname"),
            Map.entry("selfsigned.test", "secure match=mx.selfsigned.test servername=hostname"),
            Map.entry("expired.test", "secure match=mx.expired.test servername=hostname"),
            Map.entry("wrongname.test", "secure match=mx.wrongname.test servername=hostname"),
            Map.entry("untrusted.test", "secure match=mx.untrusted.test servername=hostname"),
            Map.entry("nomatch.test", "secure match=mx.elsewhere.test servername=hostname"),
            Map.entry("nostarttls.test", "secure match=mx.nostarttls.test servername=hostname"),
            Map.entry("testing.test", NOT_FOUND),
            Map.entry("nopolicy.test", NOT_FOUND),
            Map.entry("fetchfail.test", NOT_FOUND),
            Map.entry("downgrade.test", "secure match=mx.downgrade.test servername=hostname"),
            Map.entry("wildcard.test", "secure match=.wildcard.test servername=hostname"),
            Map.entry("nonemode.test", NOT_FOUND),
            Map.entry("reports.test", NOT_FOUND),
            // the `mtasts check` domains: a fault in the MX or TLSRPT set-up changes nothing here ...
            Map.entry("chk-ipv6.test", "secure match=mx.chk-ipv6.test servername=hostname"),
            Map.entry("chk-cnonly.test", "secure match=mx.chk-cnonly.test servername=hostname"),
            Map.entry("chk-expiring.test", "secure match=mx.chk-expiring.test servername=hostname"),
            Map.entry("chk-shortage.test", "secure match=mx.chk-shortage.test servername=hostname"),
            Map.entry("chk-longtesting.test", NOT_FOUND),
            Map.entry("chk-unused.test", "secure match=mx.chk-unused.test:mx.retired.test servername=hostname"),
            Map.entry("chk-notlsrpt.test", "secure match=mx.chk-notlsrpt.test servername=hostname"),
            Map.entry("chk-badtlsrpt.test", "secure match=mx.chk-badtlsrpt.test servername=hostname"),
            Map.entry("chk-badrua.test", "secure match=mx.chk-badrua.test servername=hostname"),
            Map.entry("chk-deadmx.test", "secure match=.chk-deadmx.test servername=hostname"),
            // ... while one in the record or the policy fetch (RFC 8461 §3.1, §3.3) leaves no policy at all
            Map.entry("chk-redirect.test", NOT_FOUND),
            Map.entry("chk-wrongtype.test", NOT_FOUND),
            Map.entry("chk-oversize.test", NOT_FOUND),
            Map.entry("chk-notfound.test", NOT_FOUND),
            Map.entry("chk-badpolicy.test", NOT_FOUND),
            Map.entry("chk-twotxt.test", NOT_FOUND),
            Map.entry("chk-badtxt.test", NOT_FOUND),
            Map.entry("chk-policyname.test", NOT_FOUND));

    private static MailWorld world;
    private static MtastsDaemon daemon;

    @BeforeAll
    static void startDaemon(MailWorld mailWorld) {
        world = mailWorld;
        daemon = MtastsDaemon.start(world, world.newDirectory("daemon"), MailWorld.SOCKETMAP_PORT,
                List.of(TlsrptPostfixDeliveryTest.RPT));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    static Stream<Arguments> postfixZoneReplies() {
        return POSTFIX_ZONE_REPLIES.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(reply -> Arguments.of(reply.getKey(), reply.getValue()));
    }

    @Test
    void everyDomainOfTheTestZoneHasAnExpectedReply() {
        assertThat(POSTFIX_ZONE_REPLIES.keySet()).as("domains of TestZone without an expected postmap reply here")
                .containsExactlyInAnyOrderElementsOf(TestZone.DOMAINS.stream().map(TestDomain::name).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("postfixZoneReplies")
    void everyDomainOfTheTestZoneGetsExactlyItsReply(String domain, String expected) {
        assertReply("postfix", domain, expected);
    }

    @ParameterizedTest(name = "{1} in zone {0}")
    @CsvSource(delimiter = '|', textBlock = """
            strict  | testing.test    | secure match=mx.testing.test servername=hostname
            strict  | good.test       | secure match=mx.good.test servername=hostname
            strict  | nopolicy.test   | NOTFOUND
            strict  | nonemode.test   | NOTFOUND
            """)
    void strictTestingZoneEnforcesTestingPolicies(String zone, String key, String expected) {
        assertReply(zone, key, expected);
    }

    /**
     * Keys Postfix may send besides a plain domain: case and a trailing dot are normalised; a smart host's next hop
     * ({@code [host]}, {@code [host]:port}, {@code host:port}) takes the policy of its host (RFC 8461 §3.4); IP
     * literals and malformed names have no policy domain.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            GOOD.TEST         | secure match=mx.good.test servername=hostname
            Good.Test.        | secure match=mx.good.test servername=hostname
            good.test.        | secure match=mx.good.test servername=hostname
            unknown.test      | NOTFOUND
            127.0.1.1         | NOTFOUND
            [127.0.0.1]       | NOTFOUND
            [127.0.1.1]:25    | NOTFOUND
            [ipv6:::1]        | NOTFOUND
            [mx.good.test]    | NOTFOUND
            [mx.good.test]:25 | NOTFOUND
            [good.test]       | secure match=mx.good.test servername=hostname
            [good.test]:587   | secure match=mx.good.test servername=hostname
            good.test:2525    | secure match=mx.good.test servername=hostname
            good.test:25      | secure match=mx.good.test servername=hostname
            [good.test]:25    | secure match=mx.good.test servername=hostname
            [GOOD.TEST.]:25   | secure match=mx.good.test servername=hostname
            [nomatch.test]:25 | secure match=mx.elsewhere.test servername=hostname
            [wildcard.test]   | secure match=.wildcard.test servername=hostname
            [testing.test]:25 | NOTFOUND
            [nopolicy.test]   | NOTFOUND
            [good.test]:0     | NOTFOUND
            [good.test       | NOTFOUND
            .good.test        | NOTFOUND
            good..test        | NOTFOUND
            """)
    void oddKeysGetExactlyTheirReply(String key, String expected) {
        assertReply("postfix", key, expected);
    }

    /**
     * Smart-host keys in zones other than the default: strict_testing applies to them, and with tlsrpt a bracketed
     * next hop (reached without MX lookup) gets the TLSRPT attributes but no mx_host_pattern, which Postfix 3.10.5+
     * would check against the relay's own name; {@code host:port} is reached through its MX hosts and gets them.
     */
    @ParameterizedTest(name = "{1} in zone {0}")
    @CsvSource(delimiter = '|', textBlock = """
            strict | [testing.test]:25 | secure match=mx.testing.test servername=hostname
            rpt    | [good.test]:25    | secure match=mx.good.test servername=hostname policy_type=sts policy_domain=good.test { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = mx: mx.good.test } { policy_string = max_age: 86400 }
            rpt    | [wildcard.test]   | secure match=.wildcard.test servername=hostname policy_type=sts policy_domain=wildcard.test { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = mx: *.wildcard.test } { policy_string = max_age: 86400 }
            rpt    | good.test:25      | secure match=mx.good.test servername=hostname policy_type=sts policy_domain=good.test mx_host_pattern=mx.good.test { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = mx: mx.good.test } { policy_string = max_age: 86400 }
            rpt    | [127.0.1.1]:25    | NOTFOUND
            """)
    void smartHostKeysInOtherZonesGetExactlyTheirReply(String zone, String key, String expected) {
        assertReply(zone, key, expected);
    }

    private static void assertReply(String zone, String key, String expected) {
        Commands.Result result = world.postmap(key, daemon.table(zone));

        assertThat(result.stderr()).as(result.describe()).isEmpty();
        if (expected.equals(NOT_FOUND)) {
            assertThat(result.stdout()).as(result.describe()).isEmpty();
            assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        } else {
            assertThat(result.stdout()).as(result.describe()).isEqualTo(expected + "\n");
            assertThat(result.exitCode()).as(result.describe()).isZero();
        }
    }
}
