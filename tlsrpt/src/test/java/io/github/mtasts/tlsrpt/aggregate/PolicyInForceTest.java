package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverrides;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.tlsrpt.sessions.Evidence;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import io.github.mtasts.tlsrpt.sessions.TlsSession;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyInForceTest {
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    private static final StsPolicy ENFORCE = StsPolicy.of(PolicyMode.ENFORCE, 86400,
            List.of(MxPattern.parse("mx.example.com"), MxPattern.parse("*.backup.example.com")));
    private static final StsPolicy TESTING = StsPolicy.of(PolicyMode.TESTING, 3600, List.of(MxPattern.parse("mx.example.com")));
    private static final StsPolicy NONE = StsPolicy.of(PolicyMode.NONE, 3600, List.of());

    private final Map<String, List<ServedPolicy>> served = new HashMap<>();
    private final List<DiscoveryFailureCount> failures = new ArrayList<>();
    private final Map<String, TlsaPolicy> tlsa = new HashMap<>();
    private int loads;
    private int failureLoads;
    private int daneLookups;
    private PolicyOverrides overrides = PolicyOverrides.NONE;

    private PolicyInForce join(Clock clock) {
        return new PolicyInForce(domain -> {
            loads++;
            return served.getOrDefault(domain, List.of());
        }, domain -> {
            failureLoads++;
            return failures.stream().filter(f -> f.domain().equals(domain)).toList();
        }, overrides, new DaneDestinations((domain, host) -> {
            daneLookups++;
            return Optional.ofNullable(tlsa.get(domain + " " + host));
        }), new SendingMtaIps(List.of("192.0.2.1", "2001:db8::1")), clock, Duration.ofMinutes(1));
    }

    /** Discovery of example.com failed with {@code type} from {@code first} to {@code last} (one UTC day). */
    private void failed(FailureType type, Instant first, Instant last) {
        failures.add(new DiscoveryFailureCount("example.com", DiscoveryFailureCount.dayOf(first), type, 2, "detail",
                first, last));
    }

    private void failed(FailureType type, Instant at) {
        failed(type, at, at);
    }

    private PolicyInForce join() {
        return join(Clock.fixed(T0, ZoneOffset.UTC));
    }

    private void serve(StsPolicy policy, Instant first, Instant last) {
        served.computeIfAbsent("example.com", d -> new ArrayList<>()).add(new ServedPolicy("example.com",
                ServedPolicy.hashOf(policy), ServedPolicy.textOf(policy), policy.mode(), first, last));
    }

    private static TlsSession session(Instant time, String mxHost, String mxIp, ResultType result, String reason,
                                      Evidence evidence) {
        return new TlsSession(time, "sender", "Q1", "u@example.com", "example.com", mxHost, mxIp, result, reason,
                evidence);
    }

    private static TlsSession success(Instant time, String mxHost) {
        return session(time, mxHost, "198.51.100.7", ResultType.SUCCESS, null, Evidence.TLS_LOG);
    }

    @Test
    void sessionWithoutServedPolicyCountsUnderNoPolicyFound() {
        CountedSession counted = join().judge(success(T0, "mx.example.com")).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(counted.success()).isTrue();
        assertThat(counted.day()).isEqualTo(LocalDate.of(2026, 11, 29));
        assertThat(counted.policyDomain()).isEqualTo("example.com");
    }

    @Test
    void sessionCountsUnderThePolicyServedAtItsTime() {
        serve(ENFORCE, T0.minusSeconds(3600), T0.plusSeconds(3600));
        CountedSession counted = join().judge(success(T0, "mx.example.com")).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.sts(ServedPolicy.hashOf(ENFORCE)));
        assertThat(counted.success()).isTrue();
    }

    @Test
    void laterPolicyReplacesEarlierFromItsFirstServedTime() {
        serve(ENFORCE, T0.minusSeconds(7200), T0.minusSeconds(600));
        serve(TESTING, T0.minusSeconds(300), T0.plusSeconds(600));
        PolicyInForce join = join();
        assertThat(join.judge(success(T0.minusSeconds(1000), "mx.example.com")).orElseThrow().policy().policyHash())
                .isEqualTo(ServedPolicy.hashOf(ENFORCE));
        assertThat(join.judge(success(T0, "mx.example.com")).orElseThrow().policy().policyHash())
                .isEqualTo(ServedPolicy.hashOf(TESTING));
    }

    @Test
    void sessionBeforeAnyPolicyWasServedHasNoPolicy() {
        serve(ENFORCE, T0, T0.plusSeconds(60));
        assertThat(join().judge(success(T0.minusSeconds(5), "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.NO_POLICY);
    }

    @Test
    void cachedPolicyStaysInForceForMaxAgeAfterItWasLastServed() {
        serve(TESTING, T0.minusSeconds(7200), T0.minusSeconds(3600));
        PolicyInForce join = join();
        assertThat(join.judge(success(T0, "mx.example.com")).orElseThrow().policy().type()).isEqualTo(PolicyType.STS);
        assertThat(join.judge(success(T0.plusSeconds(1), "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.NO_POLICY);
    }

    @Test
    void overriddenDomainHasNoPolicyWhateverWasServedBeforeTheOverride() {
        // served until an hour ago, before the override: without it, max_age would keep ENFORCE in force now
        serve(ENFORCE, T0.minusSeconds(7200), T0.minusSeconds(3600));
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(60));
        overrides = PolicyOverrides.of(List.of(
                new PolicyOverride("example.com", PolicyOverride.Outcome.ENCRYPT, List.of())));

        PolicyInForce join = join();
        CountedSession counted = join.judge(success(T0, "mx.other.example")).orElseThrow();

        assertThat(counted.policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(counted.success()).as("no mx pattern judged the host").isTrue();
        assertThat(join.judge(session(T0, "mx.example.com", "198.51.100.7", ResultType.STARTTLS_NOT_SUPPORTED, null,
                Evidence.PLAINTEXT_DELIVERY))).as("a plaintext delivery is no TLS session with it").isEmpty();
        assertThat(loads + failureLoads).as("the store is not read for it").isZero();
    }

    @Test
    void overrideOfAParentLeavesTheParentItselfUnderItsPolicy() {
        serve(ENFORCE, T0.minusSeconds(60), T0.plusSeconds(60));
        overrides = PolicyOverrides.of(List.of(
                new PolicyOverride(".example.com", PolicyOverride.Outcome.ENCRYPT, List.of())));

        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.sts(ServedPolicy.hashOf(ENFORCE)));
    }

    @Test
    void policyInModeNoneIsNoPolicy() {
        serve(NONE, T0.minusSeconds(60), T0.plusSeconds(60));
        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.NO_POLICY);
    }

    @Test
    void mxHostNotMatchedByThePolicyIsHostMismatchFailure() {
        serve(ENFORCE, T0.minusSeconds(60), T0.plusSeconds(60));
        CountedSession counted = join().judge(success(T0, "mx.attacker.example")).orElseThrow();
        assertThat(counted.success()).isFalse();
        assertThat(counted.failure().resultType()).isEqualTo(ResultType.CERTIFICATE_HOST_MISMATCH);
        assertThat(counted.failure().receivingMxHostname()).isEqualTo("mx.attacker.example");
        assertThat(counted.failure().failureReasonCode()).contains("mx patterns");
    }

    @Test
    void wildcardPatternMatchesOneLabel() {
        serve(ENFORCE, T0.minusSeconds(60), T0.plusSeconds(60));
        PolicyInForce join = join();
        assertThat(join.judge(success(T0, "a.backup.example.com")).orElseThrow().success()).isTrue();
        assertThat(join.judge(success(T0, "a.b.backup.example.com")).orElseThrow().success()).isFalse();
    }

    @Test
    void relayGivenAsBareIpIsNotJudgedAgainstMxPatterns() {
        serve(ENFORCE, T0.minusSeconds(60), T0.plusSeconds(60));
        CountedSession counted = join().judge(session(T0, "198.51.100.7", "198.51.100.7", ResultType.SUCCESS, null,
                Evidence.TLS_LOG)).orElseThrow();
        assertThat(counted.success()).isTrue();
        assertThat(counted.policy().type()).isEqualTo(PolicyType.STS);
    }

    @Test
    void untrustedSessionUnderTestingCountsAsFailureAlthoughDelivered() {
        serve(TESTING, T0.minusSeconds(60), T0.plusSeconds(60));
        CountedSession counted = join().judge(session(T0, "mx.example.com", "198.51.100.7",
                ResultType.CERTIFICATE_NOT_TRUSTED, null, Evidence.UNAUTHENTICATED_TLS)).orElseThrow();
        assertThat(counted.policy().policyHash()).isEqualTo(ServedPolicy.hashOf(TESTING));
        assertThat(counted.failure()).isEqualTo(new FailureKey(ResultType.CERTIFICATE_NOT_TRUSTED, "192.0.2.1",
                "mx.example.com", "198.51.100.7", ""));
    }

    @Test
    void unauthenticatedOpportunisticSessionWithoutPolicyIsSuccess() {
        CountedSession counted = join().judge(session(T0, "mx.example.com", "198.51.100.7",
                ResultType.CERTIFICATE_NOT_TRUSTED, null, Evidence.UNAUTHENTICATED_TLS)).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(counted.success()).isTrue();
        assertThat(counted.failure()).isNull();
    }

    @Test
    void unauthenticatedOpportunisticSessionUnderModeNoneIsSuccess() {
        serve(NONE, T0.minusSeconds(60), T0.plusSeconds(60));
        CountedSession counted = join().judge(session(T0, "mx.example.com", "198.51.100.7",
                ResultType.CERTIFICATE_NOT_TRUSTED, "no server certificate (anonymous cipher)",
                Evidence.UNAUTHENTICATED_TLS)).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(counted.success()).isTrue();
    }

    @Test
    void verificationFailureWithoutPolicyStaysFailure() {
        // a security level from elsewhere (a static TLS policy table) demanded a verified certificate
        CountedSession counted = join().judge(session(T0, "mx.example.com", "198.51.100.7",
                ResultType.CERTIFICATE_NOT_TRUSTED, "self-signed certificate", Evidence.TLS_LOG)).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(counted.failure()).isEqualTo(new FailureKey(ResultType.CERTIFICATE_NOT_TRUSTED, "192.0.2.1",
                "mx.example.com", "198.51.100.7", "self-signed certificate"));
    }

    @Test
    void tlsFailureKeepsItsOwnTypeWhenTheMxIsAlsoUnlisted() {
        serve(ENFORCE, T0.minusSeconds(60), T0.plusSeconds(60));
        CountedSession counted = join().judge(session(T0, "other.example", "198.51.100.7",
                ResultType.CERTIFICATE_EXPIRED, "certificate has expired", Evidence.TLS_LOG)).orElseThrow();
        assertThat(counted.failure().resultType()).isEqualTo(ResultType.CERTIFICATE_EXPIRED);
        assertThat(counted.failure().failureReasonCode()).isEqualTo("certificate has expired");
    }

    @Test
    void plaintextDeliveryCountsOnlyToAListedMx() {
        PolicyInForce withoutPolicy = join();
        TlsSession plaintext = session(T0, "mx.example.com", "198.51.100.7", ResultType.STARTTLS_NOT_SUPPORTED, null,
                Evidence.PLAINTEXT_DELIVERY);
        assertThat(withoutPolicy.judge(plaintext)).isEmpty();
        serve(ENFORCE, T0.minusSeconds(60), T0.plusSeconds(60));
        PolicyInForce withPolicy = join();
        assertThat(withPolicy.judge(plaintext).orElseThrow().failure().resultType())
                .isEqualTo(ResultType.STARTTLS_NOT_SUPPORTED);
        assertThat(withPolicy.judge(session(T0, "filter.local", "127.0.0.1", ResultType.STARTTLS_NOT_SUPPORTED, null,
                Evidence.PLAINTEXT_DELIVERY))).isEmpty();
    }

    @Test
    void sendingMtaIpFollowsTheReceivingAddressFamily() {
        CountedSession counted = join().judge(session(T0, "mx.example.com", "2001:db8::25",
                ResultType.CERTIFICATE_NOT_TRUSTED, null, Evidence.TLS_LOG)).orElseThrow();
        assertThat(counted.failure().sendingMtaIp()).isEqualTo("2001:db8::1");
    }

    @Test
    void servedPoliciesAreReloadedAfterTheReloadInterval() {
        Instant[] now = {T0};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        PolicyInForce join = join(clock);
        assertThat(join.judge(success(T0, "mx.example.com")).map(CountedSession::policy))
                .isEqualTo(Optional.of(PolicyGroup.NO_POLICY));
        serve(ENFORCE, T0.minusSeconds(60), T0.plusSeconds(60));
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(1));
        assertThat(join.judge(success(T0, "mx.example.com")).orElseThrow().policy()).isEqualTo(PolicyGroup.NO_POLICY);
        now[0] = T0.plusSeconds(61);
        assertThat(join.judge(success(T0, "mx.example.com")).orElseThrow().policy().type()).isEqualTo(PolicyType.STS);
        assertThat(loads).isEqualTo(2);
        assertThat(failureLoads).isEqualTo(2);
    }

    @Test
    void sessionWithoutPolicyAfterAFetchErrorIsThatFailureUnderAnUnavailableStsPolicy() {
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(30));
        CountedSession counted = join().judge(success(T0, "mx.example.com")).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.STS_UNAVAILABLE);
        assertThat(counted.policy().stsUnavailable()).isTrue();
        assertThat(counted.failure()).isEqualTo(new FailureKey(ResultType.STS_POLICY_FETCH_ERROR, "192.0.2.1",
                "mx.example.com", "198.51.100.7", ""));
    }

    @Test
    void failureInTheSessionsOwnSecondPrecedesIt() {
        failed(FailureType.POLICY_FETCH_ERROR, T0);
        CountedSession counted = join().judge(success(T0.plusMillis(900), "mx.example.com")).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.STS_UNAVAILABLE);
    }

    @Test
    void failureLaterTheSameDayDoesNotRelabelEarlierSessions() {
        failed(FailureType.POLICY_FETCH_ERROR, Instant.parse("2026-11-29T23:00:00Z"));
        CountedSession counted = join().judge(success(Instant.parse("2026-11-29T01:00:00Z"), "mx.example.com"))
                .orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(counted.success()).isTrue();
    }

    @Test
    void failureLastingPastTheSessionLabelsIt() {
        failed(FailureType.POLICY_INVALID, T0.minusSeconds(3 * 3600), T0.plusSeconds(3600));
        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().failure().resultType())
                .isEqualTo(ResultType.STS_POLICY_INVALID);
    }

    @Test
    void failureOlderThanTheHoldNoLongerLabelsSessions() {
        failed(FailureType.POLICY_FETCH_ERROR, T0.minus(PolicyInForce.FAILURE_HOLD).minusSeconds(1));
        failed(FailureType.WEBPKI_INVALID, T0.minus(PolicyInForce.FAILURE_HOLD).minusSeconds(1));
        PolicyInForce join = join();
        assertThat(join.judge(success(T0, "mx.example.com")).orElseThrow().policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(join.judge(success(T0.minusSeconds(1), "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.STS_UNAVAILABLE);
    }

    @Test
    void eachStsDiscoveryFailureCountsAsItsRfc8460Type() {
        Map<FailureType, ResultType> expected = Map.of(
                FailureType.POLICY_FETCH_ERROR, ResultType.STS_POLICY_FETCH_ERROR,
                FailureType.POLICY_INVALID, ResultType.STS_POLICY_INVALID,
                FailureType.WEBPKI_INVALID, ResultType.STS_WEBPKI_INVALID);
        expected.forEach((type, result) -> {
            failures.clear();
            failed(type, T0.minusSeconds(5));
            CountedSession counted = join().judge(session(T0, "mx.example.com", "198.51.100.7",
                    ResultType.CERTIFICATE_NOT_TRUSTED, "self-signed certificate", Evidence.TLS_LOG)).orElseThrow();
            assertThat(counted.policy()).as(type.name()).isEqualTo(PolicyGroup.STS_UNAVAILABLE);
            assertThat(counted.failure().resultType()).as(type.name()).isEqualTo(result);
            assertThat(counted.failure().failureReasonCode()).as(type.name()).isEmpty();
        });
    }

    @Test
    void dnsFailureAndInvalidTxtRecordLeaveSessionsUnderNoPolicyFound() {
        failed(FailureType.DNS_FAILURE, T0.minusSeconds(5));
        failed(FailureType.TXT_INVALID, T0.minusSeconds(3));
        CountedSession counted = join().judge(session(T0, "mx.example.com", "198.51.100.7",
                ResultType.CERTIFICATE_NOT_TRUSTED, null, Evidence.TLS_LOG)).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.NO_POLICY);
        assertThat(counted.failure().resultType()).isEqualTo(ResultType.CERTIFICATE_NOT_TRUSTED);
    }

    @Test
    void latestFailureBeforeTheSessionGivesTheType() {
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(200));
        failed(FailureType.WEBPKI_INVALID, T0.minusSeconds(100));
        failed(FailureType.POLICY_INVALID, T0.plusSeconds(10));
        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().failure().resultType())
                .isEqualTo(ResultType.STS_WEBPKI_INVALID);
    }

    @Test
    void policyServedAfterTheFailureWins() {
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(600));
        serve(ENFORCE, T0.minusSeconds(300), T0.plusSeconds(60));
        CountedSession counted = join().judge(success(T0, "mx.example.com")).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.sts(ServedPolicy.hashOf(ENFORCE)));
        assertThat(counted.success()).isTrue();
    }

    @Test
    void policyServedAfterTheFailureThatExpiredBeforeTheSessionLeavesNoPolicyFound() {
        StsPolicy shortLived = StsPolicy.of(PolicyMode.TESTING, 60, List.of(MxPattern.parse("mx.example.com")));
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(300));
        serve(shortLived, T0.minusSeconds(200), T0.minusSeconds(200));
        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.NO_POLICY);
    }

    @Test
    void cachedPolicyStaysInForceWhenItsRefreshFails() {
        serve(ENFORCE, T0.minusSeconds(7200), T0.minusSeconds(3600));
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(10));
        CountedSession counted = join().judge(success(T0, "mx.example.com")).orElseThrow();
        assertThat(counted.policy()).isEqualTo(PolicyGroup.sts(ServedPolicy.hashOf(ENFORCE)));
        assertThat(counted.success()).isTrue();
    }

    @Test
    void policyInModeNoneInForceIsNoPolicyDespiteAFailure() {
        serve(NONE, T0.minusSeconds(600), T0.minusSeconds(600));
        failed(FailureType.POLICY_INVALID, T0.minusSeconds(10));
        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.NO_POLICY);
    }

    @Test
    void plaintextDeliveryIsNotCountedWithoutPolicyEvenAfterAFailure() {
        failed(FailureType.POLICY_FETCH_ERROR, T0.minusSeconds(10));
        assertThat(join().judge(session(T0, "mx.example.com", "198.51.100.7", ResultType.STARTTLS_NOT_SUPPORTED,
                null, Evidence.PLAINTEXT_DELIVERY))).isEmpty();
    }

    @Test
    void failuresOfAnotherDomainDoNotCount() {
        failures.add(new DiscoveryFailureCount("other.example", LocalDate.of(2026, 11, 29),
                FailureType.POLICY_FETCH_ERROR, 1, "HTTP 404", T0.minusSeconds(10), T0.minusSeconds(10)));
        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.NO_POLICY);
    }

    private static final TlsaPolicy MX_TLSA = new TlsaPolicy("mx.example.com",
            List.of("3 1 1 " + "ab".repeat(32), "2 0 1 " + "cd".repeat(32)));

    @Test
    void daneTakesPrecedenceOverTheServedStsPolicyWhereTheMxHostHasValidatedTlsa() {
        serve(ENFORCE, T0.minusSeconds(3600), T0.plusSeconds(3600));
        tlsa.put("example.com mx.example.com", MX_TLSA);

        CountedSession counted = join().judge(success(T0, "mx.example.com")).orElseThrow();

        assertThat(counted.policy()).isEqualTo(PolicyGroup.tlsa(MX_TLSA));
        assertThat(counted.policy().tlsaPolicy().records()).containsExactly("2 0 1 " + "cd".repeat(32),
                "3 1 1 " + "ab".repeat(32));
        assertThat(counted.success()).isTrue();
    }

    @Test
    void tlsaMismatchCountsAsTlsaInvalidUnderTheHostsRecords() {
        tlsa.put("example.com mx.example.com", MX_TLSA);

        CountedSession counted = join().judge(session(T0, "mx.example.com", "198.51.100.7", ResultType.TLSA_INVALID,
                "num=65:no matching DANE TLSA records", Evidence.TLS_LOG)).orElseThrow();

        assertThat(counted.policy()).isEqualTo(PolicyGroup.tlsa(MX_TLSA));
        assertThat(counted.failure()).isEqualTo(new FailureKey(ResultType.TLSA_INVALID, "192.0.2.1", "mx.example.com",
                "198.51.100.7", "num=65:no matching DANE TLSA records"));
    }

    @Test
    void bogusTlsaIsDnssecInvalidUnderATlsaPolicyWithoutRecords() {
        serve(ENFORCE, T0.minusSeconds(3600), T0.plusSeconds(3600));

        CountedSession counted = join().judge(session(T0, "mx.example.com", null, ResultType.DNSSEC_INVALID,
                "TLSA lookup error for mx.example.com:25", Evidence.TLS_LOG)).orElseThrow();

        assertThat(counted.policy()).isEqualTo(PolicyGroup.tlsa(new TlsaPolicy("mx.example.com", List.of())));
        assertThat(counted.failure().resultType()).isEqualTo(ResultType.DNSSEC_INVALID);
        assertThat(counted.failure().receivingIp()).isEmpty();
    }

    @Test
    void withoutValidatedTlsaTheStsPolicyStillApplies() {
        serve(ENFORCE, T0.minusSeconds(3600), T0.plusSeconds(3600));
        assertThat(join().judge(success(T0, "mx.example.com")).orElseThrow().policy())
                .isEqualTo(PolicyGroup.sts(ServedPolicy.hashOf(ENFORCE)));
    }

    @Test
    void daneIsLookedUpOncePerDomainHostAndDay() {
        tlsa.put("example.com mx.example.com", MX_TLSA);
        PolicyInForce join = join();
        join.judge(success(T0, "mx.example.com"));
        join.judge(success(T0.plusSeconds(60), "MX.example.com"));
        assertThat(daneLookups).isEqualTo(1);
        join.judge(success(T0.plus(Duration.ofDays(1)), "mx.example.com"));
        assertThat(daneLookups).isEqualTo(2);
    }

    @Test
    void aSenderWithoutDaneNeverLooksUp() {
        PolicyInForce join = new PolicyInForce(domain -> List.of(), domain -> List.of(), PolicyOverrides.NONE, DaneDestinations.NONE,
                new SendingMtaIps(List.of()), Clock.fixed(T0, ZoneOffset.UTC), Duration.ofMinutes(1));
        assertThat(join.judge(success(T0, "mx.example.com")).orElseThrow().policy()).isEqualTo(PolicyGroup.NO_POLICY);
    }
}
