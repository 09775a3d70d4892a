package io.github.mtasts.tlsrpt.inbound;

import java.util.List;
import java.util.Objects;

/**
 * The reporting organisations of a window of UTC days, ranked by the failed sessions they saw of our domains, summed
 * and cut to size in the store.
 *
 * @param organizations the organisations with the most failed sessions first (then the most sessions, then by name)
 * @param more          organisations in the window beyond {@code organizations}
 */
public record InboundOrganizations(List<Organization> organizations, long more) {

    /** The most rows a ranking or an organisation's table returns, whatever the caller asks. */
    public static final int MAX_ROWS = 500;

    public InboundOrganizations {
        organizations = List.copyOf(organizations);
    }

    /**
     * One organisation's reports of the window.
     *
     * @param dominantResultType the result type of most of its failed sessions; "" without failures
     */
    public record Organization(String name, long reports, long successful, long failed, String dominantResultType) {
        public Organization {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dominantResultType, "dominantResultType");
        }
    }

    /** What one organisation saw of one of our policy domains ("" when its reports named none). */
    public record DomainSeen(String domain, long successful, long failed) {
        public DomainSeen {
            Objects.requireNonNull(domain, "domain");
        }
    }

    /** Failed sessions of identical failure details one organisation reported for one domain; absent fields are "". */
    public record ReportedFailure(String domain, String resultType, String sendingMtaIp, String receivingMx,
                                  String receivingIp, String reasonCode, long sessions) {
    }

    /** What one organisation reported in the window: its sessions by our domain, and its failure details. */
    public record Seen(String organization, List<DomainSeen> domains, long moreDomains,
                       List<ReportedFailure> failures, long moreFailures) {
        public Seen {
            Objects.requireNonNull(organization, "organization");
            domains = List.copyOf(domains);
            failures = List.copyOf(failures);
        }
    }
}
