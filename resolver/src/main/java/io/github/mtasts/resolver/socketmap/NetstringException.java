package io.github.mtasts.resolver.socketmap;

/** Input that is not a well-formed netstring within our limit; {@link #kind()} says which rule it broke. */
public final class NetstringException extends Exception {

    /** The distinct ways a netstring can be malformed. */
    public enum Kind {
        /** The length prefix is empty, has a non-digit, or has a leading zero (djb: "0" only for the empty string). */
        BAD_LENGTH_PREFIX,
        /** The payload is not followed by the {@code ','} terminator. */
        MISSING_COMMA,
        /** The length prefix announces a payload longer than the configured maximum. */
        OVERSIZE,
        /** The input ended in the middle of a netstring. */
        TRUNCATED,
        /** A netstring was started and not finished within the time allowed for one. */
        TIMED_OUT
    }

    private final Kind kind;

    public NetstringException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String getMessage() {
        return kind + ": " + super.getMessage();
    }
}
