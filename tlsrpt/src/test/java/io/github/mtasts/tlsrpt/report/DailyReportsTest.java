package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import io.github.mtasts.tlsrpt.delivery.DispatchWorld;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.github.mtasts.tlsrpt.delivery.DispatchWorld.DAY;
import static org.assertj.core.api.Assertions.assertThat;

class DailyReportsTest {
    private static final String HASH = io.github.mtasts.resolver.store.ServedPolicy.hashOf(DispatchWorld.policy());
    private static final FailureKey EXPIRED = new FailureKey(ResultType.CERTIFICATE_EXPIRED, "",
            "mx1.good.test", "198.51.100.7", "");

    @Test
    void oneReportPerDomainWithOneEntryPerPolicy() {
        List<DomainDay> rows = List.of(
                new DomainDay(DAY, "good.test", PolicyGroup.NO_POLICY, 2, 0, List.of()),
                new DomainDay(DAY, "good.test", PolicyGroup.sts(HASH), 3, 1,
                        List.of(new DomainDay.FailureCount(EXPIRED, 1))),
                new DomainDay(DAY, "other.test", PolicyGroup.NO_POLICY, 1, 0, List.of()));

        List<DailyReport> reports = DailyReports.of(rows, DispatchWorld::served, false);

        assertThat(reports).extracting(DailyReport::policyDomain).containsExactly("good.test", "other.test");
        DailyReport good = reports.get(0);
        assertThat(good.policies()).hasSize(2);
        assertThat(good.policies().get(0).policy().type()).isEqualTo(PolicyType.NO_POLICY_FOUND);
        var sts = good.policies().get(1);
        assertThat(sts.policy().policyString()).containsExactly("version: STSv1", "mode: enforce",
                "mx: mx1.good.test", "max_age: 86400");
        assertThat(sts.policy().mxHosts()).containsExactly("mx1.good.test");
        assertThat(sts.successfulSessions()).isEqualTo(3);
        assertThat(sts.failedSessions()).isEqualTo(1);
        var detail = sts.failureDetails().get(0);
        assertThat(detail.resultType()).isEqualTo("certificate-expired");
        assertThat(detail.sendingMtaIp()).as("empty key parts are absent members").isNull();
        assertThat(detail.failureReasonCode()).isNull();
        assertThat(detail.receivingIp()).isEqualTo("198.51.100.7");
    }

    @Test
    void anStsPolicyTheStoreNoLongerHasKeepsItsTypeWithoutPolicyString() {
        List<DailyReport> reports = DailyReports.of(List.of(new DomainDay(DAY, "lost.test",
                PolicyGroup.sts("0123abcd"), 1, 0, List.of())), domain -> List.of(), false);

        assertThat(reports.get(0).policies().get(0).policy().type()).isEqualTo(PolicyType.STS);
        assertThat(reports.get(0).policies().get(0).policy().policyString()).isEmpty();
    }

    @Test
    void anUnavailableStsPolicyIsReportedAsStsWithoutPolicyStringOrMxHost() {
        FailureKey fetchError = new FailureKey(ResultType.STS_POLICY_FETCH_ERROR, "192.0.2.1", "mx1.good.test",
                "198.51.100.7", "");
        List<DailyReport> reports = DailyReports.of(List.of(new DomainDay(DAY, "good.test",
                PolicyGroup.STS_UNAVAILABLE, 0, 2, List.of(new DomainDay.FailureCount(fetchError, 2)))),
                DispatchWorld::served, true);

        var entry = reports.get(0).policies().get(0);
        assertThat(entry.policy().type()).isEqualTo(PolicyType.STS);
        assertThat(entry.policy().policyString()).isEmpty();
        assertThat(entry.policy().mxHosts()).isEmpty();
        assertThat(entry.failureDetails().get(0).resultType()).isEqualTo("sts-policy-fetch-error");
        assertThat(entry.failureDetails().get(0).failedSessionCount()).isEqualTo(2);
    }

    @Test
    void aTlsaPolicyShowsTheMxHostAndItsRecords() {
        TlsaPolicy tlsa = new TlsaPolicy("mx.ee.dane.test", List.of("3 1 1 " + "0f".repeat(32)));
        FailureKey mismatch = new FailureKey(ResultType.TLSA_INVALID, "192.0.2.1", "mx.ee.dane.test", "127.0.1.33",
                "num=65:no matching DANE TLSA records");
        List<DailyReport> reports = DailyReports.of(List.of(new DomainDay(DAY, "ee.dane.test",
                PolicyGroup.tlsa(tlsa), 4, 1, List.of(new DomainDay.FailureCount(mismatch, 1)))), domain -> List.of(),
                false);

        var entry = reports.get(0).policies().get(0);
        assertThat(entry.policy().type()).isEqualTo(PolicyType.TLSA);
        assertThat(entry.policy().policyString()).containsExactly("3 1 1 " + "0f".repeat(32));
        assertThat(entry.policy().mxHosts()).containsExactly("mx.ee.dane.test");
        assertThat(entry.failureDetails().get(0).resultType()).isEqualTo("tlsa-invalid");
    }

    @Test
    void onlyFailuresDropsDomainsWhoseDayHadNone() {
        List<DomainDay> rows = List.of(
                new DomainDay(DAY, "fine.test", PolicyGroup.NO_POLICY, 9, 0, List.of()),
                new DomainDay(DAY, "good.test", PolicyGroup.NO_POLICY, 0, 1,
                        List.of(new DomainDay.FailureCount(EXPIRED, 1))));

        assertThat(DailyReports.of(rows, DispatchWorld::served, true)).extracting(DailyReport::policyDomain)
                .containsExactly("good.test");
        assertThat(DailyReports.of(rows, DispatchWorld::served, false)).hasSize(2);
    }
}
