package io.github.mtasts.resolver.cache;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import java.time.LocalDate;
import java.util.Objects;

/**
 * How often discovery failed for one policy domain on one UTC day with one failure type; TLSRPT reports these
 * as {@code sts-policy-fetch-error}, {@code sts-policy-invalid} or {@code sts-webpki-invalid} (RFC 8460 §4.3.2).
 *
 * @param lastDetail the detail of the most recent failure of this kind that day
 */
public record DiscoveryFailureCount(String domain, LocalDate day, FailureType type, long count, String lastDetail) {

    public DiscoveryFailureCount {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(lastDetail, "lastDetail");
        if (count < 1) {
            throw new IllegalArgumentException("discovery failure count for " + domain + " must be positive: " + count);
        }
    }
}
