/**
 * The dashboard served on the daemon's HTTP listener: {@link io.github.mtasts.tlsrpt.dashboard.DashboardHandler}
 * checks access and reads the three stores (our outbound aggregates, the inbound reports, the policy cache) into
 * {@link io.github.mtasts.tlsrpt.dashboard.DashboardData}; {@link io.github.mtasts.tlsrpt.dashboard.DashboardPage}
 * renders it. The {@code cli} module hands the handler to the daemon, since the resolver knows nothing of TLSRPT.
 * Its access settings ({@code dashboard:}) are read by {@code io.github.mtasts.tlsrpt.config}.
 */
package io.github.mtasts.tlsrpt.dashboard;
