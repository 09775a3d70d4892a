package io.github.mtasts.resolver.policy;

/** The DNSSEC status of one DNS answer (RFC 4035 §4.3), as RFC 7672 §2.1 uses it. */
public enum DnssecStatus {
    /** Validated from a trust anchor: the records (or their proven absence) can be relied on. */
    SECURE,
    /** Provably unsigned: DANE cannot apply. */
    INSECURE,
    /** Bogus, SERVFAIL, timeout or any other failure: the status is unknown. */
    INDETERMINATE
}
