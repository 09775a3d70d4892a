/**
 * Turning ended UTC days into reports and delivering them exactly once per (day, policy domain, destination):
 * the persistent delivery queue, the aggregate-to-report adapter, and the long-running service.
 */
package io.github.mtasts.tlsrpt.schedule;
