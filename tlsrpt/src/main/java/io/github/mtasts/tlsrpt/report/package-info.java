/**
 * RFC 8460 reports: where a policy domain wants them ({@link io.github.mtasts.resolver.policy.TlsRptRecord}, the
 * {@code _smtp._tls} TXT record) and what they say ({@link io.github.mtasts.tlsrpt.report.ReportBuilder} turns a
 * {@link io.github.mtasts.tlsrpt.report.DailyReport} into a {@link io.github.mtasts.tlsrpt.report.TlsRptReport}).
 * Pure: no I/O apart from the TXT lookup in {@link io.github.mtasts.tlsrpt.report.RuaLookup}.
 */
package io.github.mtasts.tlsrpt.report;
