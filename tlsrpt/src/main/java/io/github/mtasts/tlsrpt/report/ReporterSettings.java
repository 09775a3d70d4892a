package io.github.mtasts.tlsrpt.report;

import io.github.mtasts.resolver.policy.DomainNames;
import java.util.Locale;
import java.util.Objects;

/**
 * Who sends the reports (RFC 8460 §4.3 and §5.3). Our sending MTA addresses are not here: the aggregate layer puts
 * them into each failure detail when it counts the session.
 *
 * @param organizationName {@code organization-name}, e.g. "Example Inc."
 * @param contactInfo      {@code contact-info}, usually a mailbox, e.g. "tlsrpt@example.net"
 * @param submitterDomain  the reporting domain: names the report file, the report-id and {@code TLS-Report-Submitter}
 */
public record ReporterSettings(String organizationName, String contactInfo, String submitterDomain) {

    public ReporterSettings {
        Objects.requireNonNull(organizationName, "organizationName");
        Objects.requireNonNull(contactInfo, "contactInfo");
        Objects.requireNonNull(submitterDomain, "submitterDomain");
        if (organizationName.isBlank()) {
            throw new IllegalArgumentException("organization name is blank");
        }
        if (contactInfo.isBlank()) {
            throw new IllegalArgumentException("contact info is blank");
        }
        submitterDomain = submitterDomain.toLowerCase(Locale.ROOT);
        if (!DomainNames.isHostName(submitterDomain)) {
            throw new IllegalArgumentException("submitter domain \"" + submitterDomain + "\" is not a host name");
        }
    }
}
