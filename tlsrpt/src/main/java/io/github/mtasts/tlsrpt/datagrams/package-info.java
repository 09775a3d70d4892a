/**
 * Postfix 3.10+'s own TLSRPT reports: the JSON datagrams libtlsrpt sends for every TLS handshake ("dpv 1"),
 * decoded strictly by {@link io.github.mtasts.tlsrpt.datagrams.DatagramDecoder} into a
 * {@link io.github.mtasts.tlsrpt.datagrams.TlsrptDatagram}, which turns into the same
 * {@link io.github.mtasts.tlsrpt.aggregate.CountedSession}s log ingest produces. Pure: no I/O, the socket that
 * receives them is {@code io.github.mtasts.tlsrpt.ingest.DatagramSocket}.
 */
package io.github.mtasts.tlsrpt.datagrams;
