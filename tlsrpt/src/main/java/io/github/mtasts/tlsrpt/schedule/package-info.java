/**
 * When reports are built and delivered: {@link io.github.mtasts.tlsrpt.schedule.TlsRptService} runs the
 * steps of {@code io.github.mtasts.tlsrpt.delivery.ReportDispatch} for each ended UTC day, and
 * {@link io.github.mtasts.tlsrpt.schedule.ReporterMetrics} shows how it goes. Nothing else.
 */
package io.github.mtasts.tlsrpt.schedule;
