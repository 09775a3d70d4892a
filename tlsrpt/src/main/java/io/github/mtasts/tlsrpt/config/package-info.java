/**
 * The sections of the one configuration file this module owns, each parsed once from the resolver's
 * {@link io.github.mtasts.resolver.config.ConfigDocument}: {@code tlsrpt:} by
 * {@link io.github.mtasts.tlsrpt.config.TlsrptConfigLoader}, which hands {@code tlsrpt.report:} to
 * {@link io.github.mtasts.tlsrpt.config.ReportSettingsLoader}; {@code milter:} by
 * {@link io.github.mtasts.tlsrpt.config.MilterConfigLoader}; {@code dashboard:} by
 * {@link io.github.mtasts.tlsrpt.config.DashboardConfigLoader}, with the resolver's parsed {@code http:} section for
 * the rule that a dashboard off loopback needs credentials. The resolver's {@code ConfigLoader} owns the top level and
 * only checks these keys hold mappings. Records and loaders only: the packages that use the settings
 * ({@code inbound}, {@code dashboard}, {@code schedule}, {@code delivery}) import them from here.
 */
package io.github.mtasts.tlsrpt.config;
