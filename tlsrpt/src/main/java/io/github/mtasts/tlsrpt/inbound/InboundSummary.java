package io.github.mtasts.tlsrpt.inbound;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The received reports of a window of UTC days as the dashboard shows them, summed and cut to size in the store
 * (SQL {@code GROUP BY} and {@code LIMIT}): whatever the store holds, this holds at most {@link Limits#domains}
 * domains, each with at most {@link Limits#rows} organisation rows and {@link Limits#failures} failure rows, and
 * says how many more there are. A report belongs to the UTC day its period starts.
 *
 * @param reports       reports in the window
 * @param organizations distinct reporting organisations in the window
 * @param days          sessions of every policy of every report, by day, oldest first
 * @param domains       the domains with the most failed sessions (then the most sessions, then by name)
 * @param moreDomains   domains in the window beyond {@code domains}
 */
public record InboundSummary(long reports, long organizations, List<DayCount> days, List<Domain> domains,
                             long moreDomains) {

    /** How much one page shows: bounds the page's size and the heap it takes, not the figures. */
    public record Limits(int domains, int rows, int failures) {
        /** A page of a few hundred kB at most with realistic names: the busiest 20 domains, 50 rows of each kind. */
        public static final Limits DEFAULT = new Limits(20, 50, 50);

        public Limits {
            if (domains < 1 || rows < 1 || failures < 1) {
                throw new IllegalArgumentException("summary limits must be positive: " + domains + ", " + rows + ", "
                        + failures);
            }
        }
    }

    /** Sessions of one UTC day. */
    public record DayCount(LocalDate day, long successful, long failed) {
        public DayCount {
            Objects.requireNonNull(day, "day");
        }
    }

    /** One organisation's sessions for one domain and day, over all its reports. */
    public record OrgDay(LocalDate day, String organization, long successful, long failed) {
        public OrgDay {
            Objects.requireNonNull(day, "day");
            Objects.requireNonNull(organization, "organization");
        }
    }

    /** Failed sessions of identical failure details for one domain, day and organisation; absent fields are "". */
    public record Failure(LocalDate day, String organization, String resultType, String sendingMtaIp,
                          String receivingMx, String receivingIp, String reasonCode, long sessions) {
    }

    /**
     * One policy domain's figures.
     *
     * @param domain       the policy domain, empty when the reports named none
     * @param days         its sessions by day, oldest first
     * @param rows         by day (oldest first) and organisation
     * @param moreRows     (day, organisation) rows beyond {@code rows}
     * @param failures     the failure rows with the most sessions first
     * @param moreFailures failure rows beyond {@code failures}
     */
    public record Domain(Optional<String> domain, long successful, long failed, List<DayCount> days, List<OrgDay> rows,
                         long moreRows, List<Failure> failures, long moreFailures) {
        public Domain {
            Objects.requireNonNull(domain, "domain");
            days = List.copyOf(days);
            rows = List.copyOf(rows);
            failures = List.copyOf(failures);
        }
    }

    public static final InboundSummary EMPTY = new InboundSummary(0, 0, List.of(), List.of(), 0);

    public InboundSummary {
        days = List.copyOf(days);
        domains = List.copyOf(domains);
    }
}
