package io.github.mtasts.tlsrpt.sessions;

/** The {@code policy-type} of a reported policy (RFC 8460 §4.3). */
public enum PolicyType {
    /** A DANE TLSA policy. */
    TLSA("tlsa"),
    /** An MTA-STS policy (including one whose fetch failed: the sts-* result types belong to it). */
    STS("sts"),
    /** Neither DANE nor MTA-STS applied. */
    NO_POLICY_FOUND("no-policy-found");

    private final String rfcName;

    PolicyType(String rfcName) {
        this.rfcName = rfcName;
    }

    /** The value written to the report. */
    public String rfcName() {
        return rfcName;
    }

    public static PolicyType fromRfcName(String name) {
        for (PolicyType type : values()) {
            if (type.rfcName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown policy type: " + name);
    }
}
