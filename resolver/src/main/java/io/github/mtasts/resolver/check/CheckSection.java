package io.github.mtasts.resolver.check;

/** The parts of a domain's MTA-STS set-up the check looks at, in the order it reports them. */
public enum CheckSection {
    /** An override in this host's configuration answers for the domain instead of its MTA-STS policy. */
    OVERRIDE("override"),
    MTA_STS_TXT("mta-sts-txt"),
    POLICY("policy"),
    MX("mx"),
    /** DNSSEC of the MX records and each host's TLSA records (RFC 7672), when a DNSSEC status source exists. */
    DANE("dane"),
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
     * costs the owner their reports (RFC 8460), and an override is this host's own configuration, not the domain's
     * set-up, so neither decides the verdict.
     */
    public boolean affectsDelivery() {
        return this != TLSRPT_TXT && this != OVERRIDE;
    }
}
