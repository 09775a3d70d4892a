package io.github.mtasts.resolver.check;

/** The parts of a domain's MTA-STS set-up the check looks at, in the order it reports them. */
public enum CheckSection {
    MTA_STS_TXT("mta-sts-txt"),
    POLICY("policy"),
    MX("mx"),
    SMTP("smtp"),
    TLSRPT_TXT("tlsrpt-txt");

    private final String label;

    CheckSection(String label) {
        this.label = label;
    }

    /** The section's name in the table and in JSON. */
    public String label() {
        return label;
    }

    /**
     * Whether a FAIL here stops senders that honour an enforce policy from delivering. A broken TLSRPT record only
     * costs the owner their reports (RFC 8460), so it does not decide the verdict.
     */
    public boolean affectsDelivery() {
        return this != TLSRPT_TXT;
    }
}
