package io.github.mtasts.tlsrpt.datagrams;

import java.util.Locale;
import java.util.Objects;

/** A datagram that is not a valid libtlsrpt "dpv 1" report; the message names the field and what is wrong. */
public final class MalformedDatagramException extends Exception {

    /** Why a datagram was refused, counted per reason. */
    public enum Reason {
        /** Longer than {@link DatagramDecoder#MAX_DATAGRAM_BYTES}; its content is not looked at. */
        OVERSIZE,
        /** Not one JSON object (syntax error, trailing data, duplicate key, empty). */
        NOT_JSON,
        /** A {@code dpv} other than "1": another protocol version. */
        UNSUPPORTED_VERSION,
        /** A required field is absent. */
        MISSING_FIELD,
        /** A field this protocol version does not have. */
        UNKNOWN_FIELD,
        /** A field of the wrong JSON type or with a value outside its range. */
        BAD_VALUE,
        /** Fields that contradict each other ({@code t} against {@code failure-details}, {@code f}). */
        INCONSISTENT;

        /** The name used in metrics and in {@code tlsrpt status}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;

    public MalformedDatagramException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
