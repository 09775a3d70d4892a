package io.github.mtasts.resolver.check;

/** How one checked item came out, in rising severity. */
public enum CheckStatus {
    /** As RFC 8461/8460 require. */
    OK,
    /** Works, but something the owner should look at (short max_age, certificate expiring soon, no TLSRPT). */
    WARN,
    /** Broken: the item as published is wrong or unreachable. */
    FAIL
}
