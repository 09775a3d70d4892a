package io.github.mtasts.resolver.dns;

import java.util.List;

/** Outcome of one DNS TXT lookup. */
public sealed interface TxtLookupResult {

    /** The TXT records at the name (after CNAMEs), each record's character-strings concatenated. */
    record Records(List<String> texts) implements TxtLookupResult {
        public Records {
            texts = List.copyOf(texts);
        }
    }

    /** The name does not exist (NXDOMAIN) or has no TXT record (NODATA): an authoritative "no". */
    record NoRecord(String reason) implements TxtLookupResult {}

    /** No answer could be obtained (timeout, SERVFAIL, refused, malformed reply): not the same as "no record". */
    record Failure(String detail) implements TxtLookupResult {}
}
