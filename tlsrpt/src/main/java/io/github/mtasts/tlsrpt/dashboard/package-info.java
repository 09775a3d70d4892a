/**
 * The failure dashboard served on the daemon's HTTP listener: {@link io.github.mtasts.tlsrpt.dashboard.DashboardHandler}
 * adapts the listener's requests to {@link io.github.mtasts.tlsrpt.dashboard.DashboardRouter}, which maps a path to a
 * page ({@link io.github.mtasts.tlsrpt.dashboard.DashboardPages}) or an {@code /api/} table; both are made of the
 * {@link io.github.mtasts.tlsrpt.dashboard.Table}s that {@link io.github.mtasts.tlsrpt.dashboard.DashboardTables}
 * reads, bounded, from the stores (our outbound aggregates, the report queue, the inbound reports, the policy
 * cache). The {@code cli} module hands the handler to the daemon, since the resolver knows nothing of TLSRPT. Its
 * access settings ({@code dashboard:}) are read by {@code io.github.mtasts.tlsrpt.config}.
 */
package io.github.mtasts.tlsrpt.dashboard;
