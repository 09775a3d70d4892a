package io.github.mtasts.resolver.policy;

/**
 * The {@code _smtp._tls} TXT records of a policy domain give no usable TLSRPT record (RFC 8460 §3): the
 * domain gets no report, and the caller logs this exception's message, which names the rule broken.
 */
public final class TlsRptRecordException extends Exception {

    /** Why no record could be used. */
    public enum Kind {
        /** No TXT record at the name begins with {@code v=TLSRPTv1}. */
        NO_RECORD,
        /** More than one TXT record begins with {@code v=TLSRPTv1}. */
        MULTIPLE_RECORDS,
        /** The one candidate record breaks the §3 grammar or names an unusable URI. */
        INVALID
    }

    private final Kind kind;

    public TlsRptRecordException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
