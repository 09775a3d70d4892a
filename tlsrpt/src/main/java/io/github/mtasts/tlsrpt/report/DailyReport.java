package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.resolver.policy.DomainNames;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one UTC day's aggregates say about one policy domain: the input of one RFC 8460 report.
 *
 * @param day          the UTC day
 * @param policyDomain the policy domain (lower-cased here; a trailing dot is dropped)
 * @param policies     one entry per policy in force that day, at least one
 */
public record DailyReport(LocalDate day, String policyDomain, List<PolicyResult> policies) {

    public DailyReport {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(policyDomain, "policyDomain");
        policyDomain = policyDomain.toLowerCase(Locale.ROOT);
        if (policyDomain.endsWith(".")) {
            policyDomain = policyDomain.substring(0, policyDomain.length() - 1);
        }
        if (!DomainNames.isHostName(policyDomain)) {
            throw new IllegalArgumentException("policy domain \"" + policyDomain + "\" is not a host name");
        }
        policies = List.copyOf(policies);
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("no policies for " + policyDomain + " on " + day
                    + ": a day without sessions has no report");
        }
    }
}
