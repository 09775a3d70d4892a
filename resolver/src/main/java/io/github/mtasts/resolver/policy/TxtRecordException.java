package io.github.mtasts.resolver.policy;

/**
 * The {@code _mta-sts} TXT lookup gave no usable record (RFC 8461 §3.1). Whatever the kind, the sender
 * must assume the domain has no available MTA-STS policy.
 */
public final class TxtRecordException extends Exception {

    /** Why no record could be used. */
    public enum Kind {
        /** No TXT record at the name begins with {@code v=STSv1}. */
        NO_RECORD,
        /** More than one TXT record begins with {@code v=STSv1}. */
        MULTIPLE_RECORDS,
        /** The one candidate record breaks the §3.1 grammar. */
        INVALID
    }

    private final Kind kind;

    public TxtRecordException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
