package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.resolver.policy.TlsRptRecord;
import java.util.Objects;

/** Where a policy domain wants its reports, as its {@code _smtp._tls} TXT records say. */
public sealed interface RuaLookupResult {

    /** A valid TLSRPT record: send the report to its destinations. */
    record Found(TlsRptRecord record) implements RuaLookupResult {
        public Found {
            Objects.requireNonNull(record, "record");
        }
    }

    /**
     * The domain asks for no reports, or its record is unusable (RFC 8460 §3: the sender must then assume the
     * domain does not implement TLSRPT). {@code reason} is the line to log.
     */
    record NotReporting(String reason) implements RuaLookupResult {
        public NotReporting {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** DNS gave no answer (timeout, SERVFAIL): nothing is known, so asking again later may succeed. */
    record LookupFailed(String detail) implements RuaLookupResult {
        public LookupFailed {
            Objects.requireNonNull(detail, "detail");
        }
    }
}
