package io.github.mtasts.resolver.policy;

/** One {@code mx} value of a policy (RFC 8461 §3.2, §4.1), lowercase, without trailing dot. */
public record MxPattern(String pattern) {
}
