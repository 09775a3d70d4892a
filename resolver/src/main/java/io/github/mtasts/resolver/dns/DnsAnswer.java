package io.github.mtasts.resolver.dns;

import java.util.List;

/** Outcome of one DNS lookup of a record type other than TXT (MX, A/AAAA): the same three cases as {@link TxtLookupResult}. */
public sealed interface DnsAnswer<T> {

    /** The records found, at least one. */
    record Found<T>(List<T> values) implements DnsAnswer<T> {
        public Found {
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("Found needs at least one value; use NoRecord");
            }
        }
    }

    /** NXDOMAIN or NODATA: an authoritative "no". */
    record NoRecord<T>(String reason) implements DnsAnswer<T> {}

    /** No answer could be obtained (timeout, SERVFAIL, refused). */
    record Failure<T>(String detail) implements DnsAnswer<T> {}
}
