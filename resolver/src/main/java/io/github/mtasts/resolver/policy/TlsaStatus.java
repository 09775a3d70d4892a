package io.github.mtasts.resolver.policy;

import java.util.List;
import java.util.Objects;

/** What the {@code _<port>._tcp.<host>} TLSA lookup of one host of a secure MX RRset found (RFC 7672 §2.2). */
public enum TlsaStatus {
    /** Secure, with at least one usable record (RFC 7672 §3.1.3). */
    SECURE_USABLE,
    /** Secure records, none usable: Postfix then requires TLS without authentication. */
    SECURE_UNUSABLE,
    /** Secure proof that the host has no TLSA records (NXDOMAIN or NODATA). */
    SECURE_DENIED,
    /** The records, or their absence, are unsigned (or the host's address is). */
    INSECURE,
    /** The lookup failed or the data is bogus. */
    INDETERMINATE;

    /**
     * The status of a TLSA lookup answered with {@code status}; {@code denied} when the answer proved no record
     * exists, {@code records} the records found otherwise.
     */
    public static TlsaStatus of(DnssecStatus status, boolean denied, List<DaneTlsa> records) {
        Objects.requireNonNull(records, "records");
        return switch (Objects.requireNonNull(status, "status")) {
            case INDETERMINATE -> INDETERMINATE;
            case INSECURE -> INSECURE;
            case SECURE -> denied || records.isEmpty() ? SECURE_DENIED
                    : records.stream().anyMatch(DaneTlsa::usable) ? SECURE_USABLE : SECURE_UNUSABLE;
        };
    }
}
