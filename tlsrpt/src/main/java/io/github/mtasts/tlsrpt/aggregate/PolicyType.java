package io.github.mtasts.tlsrpt.aggregate;

/** RFC 8460 §4.4 {@code policy-type} values this collector reports (no DANE: Postfix's TLSA lookups are not ours). */
public enum PolicyType {
    STS("sts"),
    NO_POLICY_FOUND("no-policy-found");

    private final String rfcName;

    PolicyType(String rfcName) {
        this.rfcName = rfcName;
    }

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
