package io.github.mtasts.tlsrpt.report;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Who sends the reports (RFC 8460 §4.3 and §5.3).
 *
 * @param organizationName {@code organization-name}, e.g. "Example Inc."
 * @param contactInfo      {@code contact-info}, usually a mailbox, e.g. "tlsrpt@example.net"
 * @param submitterDomain  the reporting domain: names the report file and fills {@code TLS-Report-Submitter}
 * @param sendingMtaIps    the IP addresses our MTA sends from; Postfix does not log them, so a failure detail
 *                         without {@code sending-mta-ip} gets the one of these with the receiving IP's family
 */
public record ReporterSettings(String organizationName, String contactInfo, String submitterDomain,
                               List<String> sendingMtaIps) {

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
        sendingMtaIps = List.copyOf(sendingMtaIps);
        for (String ip : sendingMtaIps) {
            if (!IpLiterals.isIpLiteral(ip)) {
                throw new IllegalArgumentException("sending MTA IP \"" + ip + "\" is not an IP address literal");
            }
        }
    }
}
