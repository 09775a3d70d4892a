package io.github.mtasts.tlsrpt.aggregate;

/** The aggregate store could not be read or written; the message names the database and the operation. */
public final class AggregateStoreException extends RuntimeException {
    public AggregateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
