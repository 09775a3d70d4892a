/**
 * When reports are built and delivered: {@link io.github.mtasts.tlsrpt.schedule.TlsRptService} runs the
 * steps of {@code io.github.mtasts.tlsrpt.delivery.ReportDispatch} for each ended UTC day, and
 * {@link io.github.mtasts.tlsrpt.schedule.ReporterMetrics} shows how it goes. Nothing else: its timing comes with
 * the other {@code tlsrpt.report:} settings from {@code io.github.mtasts.tlsrpt.config.ReportSettings}.
 */
package io.github.mtasts.tlsrpt.schedule;
