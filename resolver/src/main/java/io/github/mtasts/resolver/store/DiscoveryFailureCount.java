package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * How often discovery failed for one policy domain on one UTC day with one failure type, and when; TLSRPT reports
 * these as {@code sts-policy-fetch-error}, {@code sts-policy-invalid} or {@code sts-webpki-invalid} (RFC 8460
 * §4.3.2.2) for the sessions of that time that had no cached policy to fall back on.
 *
 * @param lastDetail  the detail of the most recent failure of this kind that day
 * @param firstFailed the first failure of this kind that day, in whole seconds
 * @param lastFailed  the last failure of this kind that day, in whole seconds
 */
public record DiscoveryFailureCount(String domain, LocalDate day, FailureType type, long count, String lastDetail,
                                    Instant firstFailed, Instant lastFailed) {

    public DiscoveryFailureCount {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(lastDetail, "lastDetail");
        Objects.requireNonNull(firstFailed, "firstFailed");
        Objects.requireNonNull(lastFailed, "lastFailed");
        if (count < 1) {
            throw new IllegalArgumentException("discovery failure count for " + domain + " must be positive: " + count);
        }
        if (lastFailed.isBefore(firstFailed)) {
            throw new IllegalArgumentException("discovery failure of " + domain + " on " + day + ": lastFailed "
                    + lastFailed + " is before firstFailed " + firstFailed);
        }
        if (!dayOf(firstFailed).equals(day) || !dayOf(lastFailed).equals(day)) {
            throw new IllegalArgumentException("discovery failure of " + domain + " on " + day + ": times "
                    + firstFailed + ".." + lastFailed + " are not on that UTC day");
        }
    }

    /** The UTC day a failure at {@code at} is counted on. */
    public static LocalDate dayOf(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    /**
     * The time given to failures recorded before failure times were kept: the last second of their day, so that they
     * relabel none of that day's sessions (only a day's end can be said to follow all of them).
     */
    public static Instant legacyTime(LocalDate day) {
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1);
    }

    /** This count with one more failure at {@code at} (whole seconds) with {@code detail}. */
    DiscoveryFailureCount plus(Instant at, String detail) {
        return new DiscoveryFailureCount(domain, day, type, count + 1, at.isBefore(lastFailed) ? lastDetail : detail,
                at.isBefore(firstFailed) ? at : firstFailed, at.isAfter(lastFailed) ? at : lastFailed);
    }
}
