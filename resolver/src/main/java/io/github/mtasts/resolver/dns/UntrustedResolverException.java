package io.github.mtasts.resolver.dns;

/** No resolver whose AD bit can be trusted: DANE answers stay off. */
public final class UntrustedResolverException extends Exception {

    private static final long serialVersionUID = 1L;

    public UntrustedResolverException(String message) {
        super(message);
    }
}
