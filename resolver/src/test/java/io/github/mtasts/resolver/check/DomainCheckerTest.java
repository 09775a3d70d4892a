package io.github.mtasts.resolver.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.dns.DnsMxLookup;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.SmtpStartTlsServer;
import io.github.mtasts.testing.SmtpStartTlsServer.Behaviour;
import io.github.mtasts.testing.TestCa;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker against real servers: dnsmasq with the TXT, MX and address records, HTTPS policy hosts and STARTTLS
 * SMTP servers on loopback addresses. Every domain is correct except for the one thing its name says.
 */
class DomainCheckerTest {

    private static final String GOOD_POLICY = policy("enforce", 1_209_600, "mx.chk-good.test");
    private static final String TLSRPT = "v=TLSRPTv1; rua=mailto:tlsrpt@chk-good.test , https://reports.chk-good.test/v1";

    @TempDir
    static Path dir;

    private static TestCa ca;
    private static DnsmasqServer dns;
    private static PolicyHttpsServer https;
    private static SmtpStartTlsServer smtp;
    private static DomainChecker checker;
    /** As {@link #checker}, but giving each MX address two seconds in all, less than its 10 s read timeout. */
    private static DomainChecker impatient;

    @BeforeAll
    static void startWorld() throws Exception {
        ca = TestCa.create("check CA");
        Path caFile = dir.resolve("ca.pem");
        ca.writePem(caFile);
        DnsmasqServer.Builder records = DnsmasqServer.builder()
                // the good MX answers on an IPv4 and an IPv6 address; each is checked
                .host("mx.chk-good.test", "127.0.2.1,::1")
                .host("mx2.chk-uncovered.test", "127.0.2.1")
                .host("mx.chk-nostarttls.test", "127.0.2.2")
                .host("mx.chk-cnonly.test", "127.0.2.3")
                .host("mx.chk-expiring.test", "127.0.2.4")
                .host("mx.chk-untrusted.test", "127.0.2.5")
                .host("mx.chk-dead.test", "127.0.2.6")
                .host("mx.chk-hang.test", "127.0.2.7");
        PolicyHttpsServer.Builder policies = PolicyHttpsServer.builder();
        for (String domain : List.of("good", "notxt", "twotxt", "shortage", "testing", "uncovered", "unused", "nostarttls",
                "cnonly", "expiring", "untrusted", "dead", "hang", "notlsrpt", "badtlsrpt", "nomx", "badpolicy", "redirect")) {
            String name = "chk-" + domain + ".test";
            if (!domain.equals("notxt")) {
                records.txt("_mta-sts." + name, "v=STSv1; id=20260101");
            }
            if (!domain.equals("notlsrpt") && !domain.equals("badtlsrpt")) {
                records.txt("_smtp._tls." + name, TLSRPT);
            }
            if (!domain.equals("nomx")) {
                records.mx(name, "mx.chk-good.test", 10);
            }
            policies.host("mta-sts." + name, ca.issue("mta-sts." + name).serverContext(), domain.equals("redirect")
                    ? Response.redirect(301, "https://mta-sts.chk-good.test/.well-known/mta-sts.txt")
                    : Response.policy(switch (domain) {
                case "shortage" -> policy("enforce", 3600, "mx.chk-good.test");
                case "testing" -> policy("testing", 1_209_600, "mx.chk-good.test");
                case "unused" -> policy("enforce", 1_209_600, "mx.chk-good.test", "*.old.test");
                case "nostarttls", "cnonly", "expiring", "untrusted", "hang" ->
                        policy("enforce", 1_209_600, "mx.chk-good.test", "mx." + name);
                case "dead" -> policy("enforce", 1_209_600, "*.chk-dead.test", "mx.chk-good.test");
                case "badpolicy" -> "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\nmx mx.chk-good.test\r\n";
                default -> GOOD_POLICY;
            }));
        }
        records.txt("_mta-sts.chk-twotxt.test", "v=STSv1; id=20260102")
                .mx("chk-uncovered.test", "mx2.chk-uncovered.test", 20)
                .txt("_smtp._tls.chk-badtlsrpt.test", "v=TLSRPTv1; rua=ftp://reports.chk-badtlsrpt.test/")
                .mx("chk-nostarttls.test", "mx.chk-nostarttls.test", 20)
                .mx("chk-cnonly.test", "mx.chk-cnonly.test", 20)
                .mx("chk-expiring.test", "mx.chk-expiring.test", 20)
                .mx("chk-untrusted.test", "mx.chk-untrusted.test", 20)
                .mx("chk-dead.test", "mx.chk-dead.test", 5)
                .mx("chk-hang.test", "mx.chk-hang.test", 20);
        records.mx("chk-nullmx.test", ".", 0);
        dns = records.start();
        https = policies.start();
        Instant now = Instant.now();
        smtp = SmtpStartTlsServer.builder()
                .host("127.0.2.1", ca.issue("mx.chk-good.test", "mx2.chk-uncovered.test").serverContext(), Behaviour.STARTTLS)
                .host("::1", ca.issue("mx.chk-good.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.2.2", ca.issue("mx.chk-nostarttls.test").serverContext(), Behaviour.NO_STARTTLS)
                .host("127.0.2.3", ca.issueWithoutSan("mx.chk-cnonly.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.2.4", ca.issue(now.minus(Duration.ofDays(60)), now.plus(Duration.ofDays(5)).plusSeconds(3600),
                        "mx.chk-expiring.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.2.5", TestCa.create("other CA").issue("mx.chk-untrusted.test").serverContext(), Behaviour.STARTTLS)
                .host("127.0.2.7", ca.issue("mx.chk-hang.test").serverContext(), Behaviour.HANG_GREETING)
                .start();
        Duration timeout = Duration.ofSeconds(3);
        checker = new DomainChecker(DnsTxtLookup.using(List.of(dns.address()), timeout),
                DnsMxLookup.using(List.of(dns.address()), timeout),
                new PolicyFetcher(timeout, PolicyFetcher.trustFrom(caFile), Optional.empty(), https.port()),
                new SmtpTlsProbe(SmtpTlsProbe.trustManager(Optional.of(caFile)), "ca_file", smtp.port(), timeout,
                        "checker.test", Clock.systemUTC()),
                Duration.ofSeconds(20));
        impatient = new DomainChecker(DnsTxtLookup.using(List.of(dns.address()), timeout),
                DnsMxLookup.using(List.of(dns.address()), timeout),
                new PolicyFetcher(timeout, PolicyFetcher.trustFrom(caFile), Optional.empty(), https.port()),
                new SmtpTlsProbe(SmtpTlsProbe.trustManager(Optional.of(caFile)), "ca_file", smtp.port(),
                        Duration.ofSeconds(10), "checker.test", Clock.systemUTC()),
                Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopWorld() {
        for (AutoCloseable server : new AutoCloseable[] {smtp, https, dns}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    private static String policy(String mode, long maxAge, String... mx) {
        StringBuilder text = new StringBuilder("version: STSv1\r\nmode: " + mode + "\r\nmax_age: " + maxAge + "\r\n");
        for (String pattern : mx) {
            text.append("mx: ").append(pattern).append("\r\n");
        }
        return text.toString();
    }

    private static List<CheckItem> with(CheckReport report, CheckStatus status) {
        return report.items().stream().filter(i -> i.status() == status).toList();
    }

    @Test
    void correctDomainIsAllOkAndSafeToStayInEnforce() {
        CheckReport report = checker.check("chk-good.test");

        assertThat(report.items()).as(CheckRenderer.table(report, false)).allMatch(i -> i.status() == CheckStatus.OK);
        assertThat(report.exitCode()).isZero();
        assertThat(report.items(CheckSection.MTA_STS_TXT).get(0).reason()).contains("id 20260101");
        assertThat(report.items(CheckSection.POLICY).get(0).reason()).contains("mode enforce", "max_age 1209600");
        assertThat(report.items(CheckSection.MX)).singleElement()
                .satisfies(i -> assertThat(i.reason()).isEqualTo("matched by policy mx mx.chk-good.test"));
        // both addresses went all the way through TLS, with SNI set to the MX name
        assertThat(report.items(CheckSection.SMTP)).filteredOn(i -> i.reason().startsWith("TLS completed: TLSv1."))
                .extracting(CheckItem::subject)
                .containsExactlyInAnyOrder("mx.chk-good.test 127.0.2.1:" + smtp.port(), "mx.chk-good.test [::1]:" + smtp.port());
        assertThat(report.items(CheckSection.SMTP)).extracting(CheckItem::reason)
                .contains("mx.chk-good.test is in the subjectAltName (mx.chk-good.test)");
        assertThat(smtp.serverNames()).contains("mx.chk-good.test");
        assertThat(report.items(CheckSection.TLSRPT_TXT).get(0).reason())
                .isEqualTo("valid, rua [mailto:tlsrpt@chk-good.test, https://reports.chk-good.test/v1]");
        assertThat(report.verdict()).isEqualTo(new Verdict(true, "safe to stay in enforce (policy mode enforce)"));
    }

    @Test
    void missingStsRecordFails() {
        CheckReport report = checker.check("chk-notxt.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.MTA_STS_TXT);
            assertThat(i.reason()).contains("no TXT record", "NXDOMAIN");
        });
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.verdict().safeToEnforce()).isFalse();
    }

    @Test
    void twoStsRecordsFail() {
        CheckReport report = checker.check("chk-twotxt.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.MTA_STS_TXT);
            assertThat(i.reason()).contains("2 TXT records begin with v=STSv1");
        });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void policySyntaxErrorFailsNamingLineAndRule() {
        CheckReport report = checker.check("chk-badpolicy.test");

        List<CheckItem> failures = with(report, CheckStatus.FAIL);
        assertThat(failures).extracting(CheckItem::section).contains(CheckSection.POLICY);
        assertThat(failures.get(0).reason())
                .isEqualTo("invalid policy: line 4: \"mx mx.chk-good.test\": expected \"name: value\", no ':' found (RFC 8461 §3.2)");
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.verdict().text()).startsWith("NOT safe to move to enforce");
    }

    @Test
    void policyRedirectFails() {
        CheckReport report = checker.check("chk-redirect.test");

        assertThat(with(report, CheckStatus.FAIL)).first().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.POLICY);
            assertThat(i.reason()).contains("policy-fetch-error", "HTTP 301 redirect", "not followed (RFC 8461 §3.3)");
        });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void maxAgeUnderOneDayWarns() {
        CheckReport report = checker.check("chk-shortage.test");

        assertThat(with(report, CheckStatus.WARN)).singleElement().satisfies(i -> {
            assertThat(i.subject()).isEqualTo("max_age");
            assertThat(i.reason()).startsWith("3600 s (0.0 days) is under one day");
        });
        assertThat(with(report, CheckStatus.FAIL)).isEmpty();
        assertThat(report.exitCode()).isZero();
        assertThat(report.verdict().text()).isEqualTo("safe to stay in enforce (policy mode enforce); review 1 warning");
    }

    @Test
    void longLivedTestingPolicyWarnsAndIsSafeToMoveToEnforce() {
        CheckReport report = checker.check("chk-testing.test");

        assertThat(with(report, CheckStatus.WARN)).singleElement().satisfies(i -> {
            assertThat(i.subject()).isEqualTo("max_age");
            assertThat(i.reason()).startsWith("mode testing with max_age 1209600 s (14.0 days)");
        });
        assertThat(report.exitCode()).isZero();
        assertThat(report.verdict().text()).startsWith("safe to move to enforce (policy mode testing)");
    }

    @Test
    void mxNotCoveredByThePolicyFails() {
        CheckReport report = checker.check("chk-uncovered.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.MX);
            assertThat(i.subject()).isEqualTo("mx2.chk-uncovered.test (preference 20)");
            assertThat(i.reason()).startsWith("not covered by any policy mx pattern [mx.chk-good.test]");
        });
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.verdict().text()).contains("NOT safe to stay in enforce", "mx2.chk-uncovered.test");
    }

    @Test
    void patternNoMxUsesWarns() {
        CheckReport report = checker.check("chk-unused.test");

        assertThat(with(report, CheckStatus.WARN)).singleElement().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.MX);
            assertThat(i.subject()).isEqualTo("mx: *.old.test");
        });
        assertThat(report.exitCode()).isZero();
    }

    @Test
    void mxWithoutStartTlsFails() {
        CheckReport report = checker.check("chk-nostarttls.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.subject()).isEqualTo("mx.chk-nostarttls.test 127.0.2.2:" + smtp.port());
            assertThat(i.reason()).startsWith("STARTTLS not offered");
        });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void certificateNamingTheMxOnlyInTheCommonNameFails() {
        CheckReport report = checker.check("chk-cnonly.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.subject()).startsWith("mx.chk-cnonly.test 127.0.2.3");
            assertThat(i.reason()).isEqualTo("mx.chk-cnonly.test is only in the Common Name, not in the subjectAltName "
                    + "(the certificate has no DNS SAN); RFC 8461 §4.1 senders check the SAN");
        });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void certificateExpiringWithinTwoWeeksWarns() {
        CheckReport report = checker.check("chk-expiring.test");

        assertThat(with(report, CheckStatus.WARN)).singleElement().satisfies(i -> {
            assertThat(i.subject()).startsWith("mx.chk-expiring.test 127.0.2.4");
            assertThat(i.reason()).startsWith("certificate expires in 5 days");
        });
        assertThat(report.exitCode()).isZero();
    }

    @Test
    void certificateFromAnUntrustedCaFails() {
        CheckReport report = checker.check("chk-untrusted.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.subject()).startsWith("mx.chk-untrusted.test 127.0.2.5");
            assertThat(i.reason()).startsWith("certificate chain does not validate against ca_file");
        });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void deadMxFailsAndTheOtherMxIsStillChecked() {
        CheckReport report = checker.check("chk-dead.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.subject()).isEqualTo("mx.chk-dead.test 127.0.2.6:" + smtp.port());
            assertThat(i.reason()).startsWith("cannot connect: Connection refused");
        });
        assertThat(report.items(CheckSection.SMTP)).filteredOn(i -> i.subject().startsWith("mx.chk-good.test 127.0.2.1"))
                .extracting(CheckItem::reason).anyMatch(r -> r.startsWith("TLS completed"));
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void mxThatNeverGreetsFailsAfterTheTimeout() {
        CheckReport report = checker.check("chk-hang.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.subject()).isEqualTo("mx.chk-hang.test 127.0.2.7:" + smtp.port());
            assertThat(i.reason()).isEqualTo("no greeting reply within PT3S");
        });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void mxAddressPastItsWholeBudgetFailsUnderTheSubjectOfItsOtherItems() {
        CheckReport report = impatient.check("chk-hang.test");

        assertThat(with(report, CheckStatus.FAIL)).filteredOn(i -> i.subject().startsWith("mx.chk-hang.test"))
                .singleElement().satisfies(i -> {
                    assertThat(i.subject()).isEqualTo("mx.chk-hang.test 127.0.2.7:" + smtp.port());
                    assertThat(i.reason()).isEqualTo("no result within PT2S");
                });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void missingTlsRptRecordWarns() {
        CheckReport report = checker.check("chk-notlsrpt.test");

        assertThat(with(report, CheckStatus.WARN)).singleElement().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.TLSRPT_TXT);
            assertThat(i.reason()).startsWith("no TLSRPT record");
        });
        assertThat(report.exitCode()).isZero();
    }

    @Test
    void invalidTlsRptRecordFailsWithoutMakingEnforceUnsafe() {
        CheckReport report = checker.check("chk-badtlsrpt.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.TLSRPT_TXT);
            assertThat(i.reason()).contains("scheme \"ftp\" is not supported; TLSRPT defines only mailto: and https:");
        });
        assertThat(report.exitCode()).isEqualTo(1);
        assertThat(report.verdict().safeToEnforce()).isTrue();
    }

    @Test
    void domainWithoutMxFails() {
        CheckReport report = checker.check("chk-nomx.test");

        assertThat(with(report, CheckStatus.FAIL)).singleElement().satisfies(i -> {
            assertThat(i.section()).isEqualTo(CheckSection.MX);
            assertThat(i.reason()).startsWith("no MX record");
        });
        assertThat(report.exitCode()).isEqualTo(1);
    }

    @Test
    void nullMxFailsWithoutProbingAnything() {
        CheckReport report = checker.check("chk-nullmx.test");

        assertThat(report.items(CheckSection.MX)).singleElement().satisfies(i -> {
            assertThat(i.status()).isEqualTo(CheckStatus.FAIL);
            assertThat(i.reason()).startsWith("null MX (RFC 7505)");
        });
        assertThat(report.items(CheckSection.SMTP)).isEmpty();
        assertThat(report.exitCode()).isEqualTo(1);
    }
}
