package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AggregateBatchTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 29);
    private static final FailureKey UNTRUSTED = new FailureKey(ResultType.CERTIFICATE_NOT_TRUSTED, "",
            "mx.example.com", "198.51.100.7", "");

    @Test
    void sessionsOfOneDayDomainAndPolicyShareACounter() {
        AggregateBatch batch = new AggregateBatch();
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.NO_POLICY, null));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.NO_POLICY, UNTRUSTED));
        batch.add(new CountedSession(DAY, "example.com", PolicyGroup.NO_POLICY, UNTRUSTED));
        batch.add(new CountedSession(DAY.plusDays(1), "example.com", PolicyGroup.NO_POLICY, null));
        AggregateBatch.CountKey today = new AggregateBatch.CountKey(DAY, "example.com", PolicyGroup.NO_POLICY);
        assertThat(batch.sessionCounts()).hasSize(2);
        assertThat(batch.sessionCounts().get(today)).containsExactly(1, 2);
        assertThat(batch.failureCounts()).isEqualTo(Map.of(new AggregateBatch.FailureCountKey(today, UNTRUSTED), 2L));
    }

    @Test
    void keepsOnlyTheFirstSamplesOfEachReason() {
        AggregateBatch batch = new AggregateBatch();
        for (int i = 0; i < 5; i++) {
            batch.rejectedLine(RejectReason.MISSING_TAG, "line " + i);
        }
        assertThat(batch.rejected()).isEqualTo(Map.of(RejectReason.MISSING_TAG, 5L));
        assertThat(batch.samples()).extracting(AggregateBatch.Sample::text).isEqualTo(List.of("line 0", "line 1",
                "line 2"));
    }

    @Test
    void emptyUntilSomethingIsAdded() {
        AggregateBatch batch = new AggregateBatch();
        assertThat(batch.isEmpty()).isTrue();
        batch.parsedLine();
        assertThat(batch.isEmpty()).isFalse();
    }

    @Test
    void policyGroupAndFailureDetailRejectInconsistentValues() {
        assertThatThrownBy(() -> new PolicyGroup(PolicyType.NO_POLICY_FOUND, "ab12"))
                .hasMessageContaining("a no-policy-found policy group has no policy hash: 'ab12'");
        assertThatThrownBy(() -> PolicyGroup.sts(""))
                .hasMessageContaining("an sts policy in force needs its policy hash");
        assertThatThrownBy(() -> new FailureKey(ResultType.SUCCESS, "", "mx", "", ""))
                .hasMessageContaining("needs a failure result type, got success");
    }
}
