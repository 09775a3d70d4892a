package io.github.mtasts.tlsrpt.inbound;

/** The inbound report store could not be read or written. */
public final class InboundStoreException extends RuntimeException {

    public InboundStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
