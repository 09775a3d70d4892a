/**
 * Postfix log input: sources ({@link io.github.mtasts.tlsrpt.logs.FollowedFile} for live files with rotation,
 * {@link io.github.mtasts.tlsrpt.logs.StreamSource} for stdin and gzip backlog) frame bytes into
 * {@link io.github.mtasts.tlsrpt.logs.SourceLine}s carrying the {@link io.github.mtasts.tlsrpt.logs.SourceId}
 * and byte offset to commit; {@link io.github.mtasts.tlsrpt.logs.LogLineParser} turns each into a
 * {@link io.github.mtasts.tlsrpt.logs.LogLine} or a counted {@link io.github.mtasts.tlsrpt.logs.RejectReason}.
 */
package io.github.mtasts.tlsrpt.logs;
