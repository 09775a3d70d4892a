package io.github.mtasts.resolver.store;

/** A durable store could not complete an operation (database unreachable, file unwritable, schema too new...). */
public final class PolicyStoreException extends RuntimeException {

    public PolicyStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public PolicyStoreException(String message) {
        super(message);
    }
}
