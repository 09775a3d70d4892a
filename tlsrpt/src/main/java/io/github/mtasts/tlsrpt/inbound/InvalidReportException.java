package io.github.mtasts.tlsrpt.inbound;

/** A received report we cannot use at all; the message names the JSON key or the MIME part at fault. */
public class InvalidReportException extends Exception {

    public InvalidReportException(String message) {
        super(message);
    }
}
