package io.github.mtasts.tlsrpt.logs;

import java.util.Objects;

/** The outcome of parsing one line: a {@link LogLine} or a counted rejection. */
public sealed interface ParseResult {

    /** A line with timestamp, host and program tag. */
    record Parsed(LogLine line) implements ParseResult {
        public Parsed {
            Objects.requireNonNull(line, "line");
        }
    }

    /** A line that is not a syslog line we understand; {@code reason} says which part failed. */
    record Rejected(RejectReason reason) implements ParseResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
