package io.github.mtasts.resolver.policy;

/** A valid {@code _mta-sts} TXT record (RFC 8461 §3.1). */
public record StsTxtRecord(String id) {
}
