package io.github.mtasts.resolver.dns;

import io.github.mtasts.resolver.policy.DnssecStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.Record;

/**
 * One DNS answer with its DNSSEC status.
 *
 * @param status  secure (AD bit from a trusted resolver, or our own validation), insecure or indeterminate
 * @param outcome records found, no such name or type, or no usable answer
 * @param records the records of the asked type in the answer section (after any CNAME chain); empty unless found
 * @param ttl     how long the answer may be cached: the smallest TTL of the records, or for a denial the SOA
 *                minimum (RFC 2308 §5); zero for a failure
 * @param detail  the outcome for humans
 */
public record DnssecAnswer(DnssecStatus status, Outcome outcome, List<Record> records, Duration ttl, String detail) {

    /** What the answer says about the name and type. */
    public enum Outcome { FOUND, NXDOMAIN, NODATA, FAILED }

    public DnssecAnswer {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(outcome, "outcome");
        records = List.copyOf(records);
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(detail, "detail");
        if ((outcome == Outcome.FOUND) == records.isEmpty()) {
            throw new IllegalArgumentException("records go with FOUND, and only with it");
        }
        if (outcome == Outcome.FAILED && status != DnssecStatus.INDETERMINATE) {
            throw new IllegalArgumentException("a failed lookup has no DNSSEC status");
        }
    }

    static DnssecAnswer failed(String detail) {
        return new DnssecAnswer(DnssecStatus.INDETERMINATE, Outcome.FAILED, List.of(), Duration.ZERO, detail);
    }

    /** NXDOMAIN or NODATA. */
    public boolean denied() {
        return outcome == Outcome.NXDOMAIN || outcome == Outcome.NODATA;
    }
}
