package io.github.mtasts.resolver.policy;

/**
 * A lookup key that cannot name a policy domain; the socketmap answers {@code NOTFOUND } for it without any
 * lookup. Thrown on the request path, so it carries no stack trace.
 */
public final class InvalidDomainKeyException extends Exception {

    public InvalidDomainKeyException(String key, String reason) {
        super("key \"" + key + "\" " + reason, null, false, false);
    }
}
