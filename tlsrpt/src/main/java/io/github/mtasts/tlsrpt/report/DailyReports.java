package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.sessions.PolicyType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns one day's aggregates into report inputs: one {@link DailyReport} per policy domain with sessions, one
 * {@code policies[]} entry per policy the sessions were counted under. Pure: served policies come from
 * {@code servedPolicies} (the policy store).
 */
public final class DailyReports {

    private DailyReports() {
    }

    /**
     * The reports of {@code counts} (one day's rows, ordered by domain). With {@code onlyFailures}, domains whose day
     * had no failed session get no report.
     */
    public static List<DailyReport> of(List<DomainDay> counts, Function<String, List<ServedPolicy>> servedPolicies,
                                       boolean onlyFailures) {
        Map<String, List<DomainDay>> byDomain = new LinkedHashMap<>();
        for (DomainDay row : counts) {
            byDomain.computeIfAbsent(row.policyDomain(), d -> new ArrayList<>()).add(row);
        }
        List<DailyReport> reports = new ArrayList<>();
        for (Map.Entry<String, List<DomainDay>> domain : byDomain.entrySet()) {
            List<PolicyResult> policies = new ArrayList<>();
            long failures = 0;
            for (DomainDay row : domain.getValue()) {
                if (row.successes() + row.failures() == 0) {
                    continue;
                }
                failures += row.failures();
                policies.add(new PolicyResult(applied(row, servedPolicies), row.successes(), row.failures(),
                        row.failureDetails().stream().map(DailyReports::detail).toList()));
            }
            if (!policies.isEmpty() && (!onlyFailures || failures > 0)) {
                reports.add(new DailyReport(domain.getValue().get(0).day(), domain.getKey(), policies));
            }
        }
        return reports;
    }

    /**
     * The tlsa policy as counted (its key holds the records), or the sts policy with the counted hash, as the resolver
     * stored it. Should the store have lost it, the entry keeps
     * the type with no policy-string, which RFC 8460 §4.3 allows when the policy text is unknown.
     */
    private static AppliedPolicy applied(DomainDay row, Function<String, List<ServedPolicy>> servedPolicies) {
        if (row.policy().type() == PolicyType.NO_POLICY_FOUND) {
            return AppliedPolicy.noPolicyFound();
        }
        if (row.policy().type() == PolicyType.TLSA) {
            return AppliedPolicy.tlsa(row.policy().tlsaPolicy());
        }
        if (row.policy().stsUnavailable()) {
            return AppliedPolicy.stsUnavailable();
        }
        if (row.policy().type() == PolicyType.TLSA) {
            return AppliedPolicy.tlsaWithoutRecords();
        }
        for (ServedPolicy served : servedPolicies.apply(row.policyDomain())) {
            if (served.policyHash().equals(row.policy().policyHash())) {
                try {
                    return AppliedPolicy.of(StsPolicy.parse(served.policyText()));
                } catch (PolicySyntaxException e) {
                    break;
                }
            }
        }
        return AppliedPolicy.stsUnavailable();
    }

    private static FailureDetail detail(DomainDay.FailureCount count) {
        var d = count.detail();
        return new FailureDetail(d.resultType().rfcName(), d.sendingMtaIp(), d.receivingMxHostname(),
                d.receivingMxHelo(), d.receivingIp(), count.sessions(), null, d.failureReasonCode());
    }
}
