package io.github.mtasts.tlsrpt.delivery;

/** The delivery queue's store failed; the message names the database and the operation. */
public final class DeliveryQueueException extends RuntimeException {
    public DeliveryQueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
