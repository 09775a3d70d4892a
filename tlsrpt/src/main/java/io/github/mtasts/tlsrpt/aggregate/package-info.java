/**
 * Durable per-domain, per-day TLS session counters (RFC 8460 §4.4): {@link
 * io.github.mtasts.tlsrpt.aggregate.PolicyInForce} joins each session with the policy our resolver served at its
 * time, and {@link io.github.mtasts.tlsrpt.aggregate.AggregateStore} adds the counts together with the read offsets
 * that produced them, in one transaction. The driver that feeds it is {@code io.github.mtasts.tlsrpt.ingest}.
 *
 * <p>Policy discovery failures ({@code sts-*} result types) are not session counts here: the resolver counts them
 * per discovery in its own table, and readers show them next to the sessions (see {@link
 * io.github.mtasts.tlsrpt.sessions.ResultType#ofDiscoveryFailure}).
 */
package io.github.mtasts.tlsrpt.aggregate;
