package io.github.mtasts.resolver.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.policy.PolicyMode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerdictTest {

    private static final CheckItem TXT_OK = CheckItem.ok(CheckSection.MTA_STS_TXT, "_mta-sts.example.com", "id 1");
    private static final CheckItem MX_FAIL = CheckItem.fail(CheckSection.MX, "mx2.example.com (preference 20)", "not covered");
    private static final CheckItem SMTP_FAIL = CheckItem.fail(CheckSection.SMTP, "mx1.example.com 192.0.2.1:25", "no STARTTLS");
    private static final CheckItem TLSRPT_FAIL = CheckItem.fail(CheckSection.TLSRPT_TXT, "_smtp._tls.example.com", "bad rua");
    private static final CheckItem WARNING = CheckItem.warn(CheckSection.POLICY, "max_age", "short");

    @Test
    void noFailuresInEnforceIsSafeToStay() {
        assertThat(Verdict.of(List.of(TXT_OK), Optional.of(PolicyMode.ENFORCE)))
                .isEqualTo(new Verdict(true, "safe to stay in enforce (policy mode enforce)"));
    }

    @Test
    void noFailuresInTestingIsSafeToMoveAndCountsWarnings() {
        assertThat(Verdict.of(List.of(TXT_OK, WARNING, WARNING), Optional.of(PolicyMode.TESTING)))
                .isEqualTo(new Verdict(true, "safe to move to enforce (policy mode testing); review 2 warnings"));
    }

    @Test
    void deliveryFailureIsUnsafeAndNamesTheFirst() {
        assertThat(Verdict.of(List.of(TXT_OK, MX_FAIL, SMTP_FAIL), Optional.of(PolicyMode.ENFORCE))).isEqualTo(new Verdict(false,
                "NOT safe to stay in enforce: 2 failing items, first mx mx2.example.com (preference 20): not covered"));
    }

    @Test
    void withoutPolicyTheAdviceIsToMove() {
        assertThat(Verdict.of(List.of(SMTP_FAIL), Optional.empty()).text())
                .isEqualTo("NOT safe to move to enforce: 1 failing item, first smtp mx1.example.com 192.0.2.1:25: no STARTTLS");
    }

    @Test
    void tlsrptFailureDoesNotMakeEnforceUnsafeButFailsTheExitCode() {
        List<CheckItem> items = List.of(TXT_OK, TLSRPT_FAIL);
        Verdict verdict = Verdict.of(items, Optional.of(PolicyMode.ENFORCE));

        assertThat(verdict.safeToEnforce()).isTrue();
        assertThat(new CheckReport("example.com", items, verdict).exitCode()).isEqualTo(CheckReport.EXIT_FAIL);
    }

    @Test
    void warningsAloneExitZero() {
        List<CheckItem> items = List.of(TXT_OK, WARNING);

        assertThat(new CheckReport("example.com", items, Verdict.of(items, Optional.empty())).exitCode()).isZero();
    }
}
