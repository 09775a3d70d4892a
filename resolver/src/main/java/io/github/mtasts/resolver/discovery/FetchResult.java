package io.github.mtasts.resolver.discovery;

/** Outcome of one policy fetch over HTTPS (RFC 8461 §3.3). */
public sealed interface FetchResult {

    /** A 200 response with {@code text/plain} content within the size limit, decoded as UTF-8. */
    record Body(String text) implements FetchResult {}

    /**
     * The fetch failed: {@code WEBPKI_INVALID} for certificate problems, {@code POLICY_FETCH_ERROR} for transport,
     * status, content type, size and timeout problems, {@code POLICY_INVALID} for a body that is not UTF-8.
     */
    record Failure(DiscoveryResult.FailureType type, String detail) implements FetchResult {}
}
