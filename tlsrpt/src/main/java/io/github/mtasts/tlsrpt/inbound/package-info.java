/**
 * The TLSRPT reports other organisations send us (RFC 8460 §4): {@link io.github.mtasts.tlsrpt.inbound.ReportExtractor}
 * finds the JSON in mail or files, {@link io.github.mtasts.tlsrpt.inbound.InboundReportParser} reads it leniently
 * while recording every deviation, {@link io.github.mtasts.tlsrpt.inbound.ReportIntake} stores each report once in
 * an {@link io.github.mtasts.tlsrpt.inbound.InboundReportStore} and counts it. The milter
 * ({@link io.github.mtasts.tlsrpt.inbound.ReportMilter}) and the importer
 * ({@link io.github.mtasts.tlsrpt.inbound.ReportImporter}) are the two ways in; the dashboard
 * ({@code io.github.mtasts.tlsrpt.dashboard}) is the way out. The milter's settings ({@code milter:}) are read by
 * {@code io.github.mtasts.tlsrpt.config}.
 */
package io.github.mtasts.tlsrpt.inbound;
