/**
 * The collector's drivers: {@link io.github.mtasts.tlsrpt.ingest.Ingest} reads the log sources of
 * {@code io.github.mtasts.tlsrpt.logs} through the session tracker and the policy join into the aggregate store,
 * committing each batch with the read offsets that produced it. Other sources of sessions sit beside it: the systemd
 * journal read as {@code journalctl -o json} ({@link io.github.mtasts.tlsrpt.ingest.JournalJson},
 * {@link io.github.mtasts.tlsrpt.ingest.JournalCursor}), from standard input or a {@code journalctl} child process
 * ({@link io.github.mtasts.tlsrpt.ingest.JournalctlSource}), resumable by the journal's own cursor.
 */
package io.github.mtasts.tlsrpt.ingest;
