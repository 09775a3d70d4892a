package io.github.mtasts.tlsrpt.delivery;

/**
 * The last moment of a delivery attempt before the destination can accept the report: right before the final
 * {@code .} of SMTP DATA (a server accepts nothing before it, RFC 5321 §4.1.1.4) or the last byte of an HTTPS POST
 * body. The delivery queue records it durably, so that a process that dies before it is retried safely and one that
 * dies after it is never retried blindly.
 */
@FunctionalInterface
public interface CommitPoint {

    /**
     * Called once per attempt, right before that step, on the sending thread.
     *
     * @param detail how an operator checks whether the destination got the report if the process dies now (the
     *               Message-ID and relay, or the POST's URI and report-id)
     * @return whether the attempt may go on; false (or an exception) makes the deliverer abort before the final
     *         step, so the destination cannot accept, and report a retryable failure
     */
    boolean reached(String detail);
}
