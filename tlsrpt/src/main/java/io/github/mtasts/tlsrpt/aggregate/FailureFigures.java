package io.github.mtasts.tlsrpt.aggregate;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The questions the failure dashboard asks of the aggregates, each answered by one or two bounded SQL queries
 * ({@code GROUP BY}, {@code LIMIT}): the rows returned follow the limits and the window's days, never the number of
 * domains or failure details the store holds. Every method may throw {@link AggregateStoreException}.
 */
public interface FailureFigures {

    /** The most rows any ranking or breakdown returns, whatever the caller asks. */
    int MAX_ROWS = 500;

    /** Sessions of the window over every policy domain. */
    record Totals(long domains, long failingDomains, long successes, long failures) {
    }

    /** One policy domain's sessions in the window. */
    record DomainTotal(String domain, long successes, long failures) {
        public DomainTotal {
            Objects.requireNonNull(domain, "domain");
        }
    }

    /** The domains with the most failed sessions, then the most sessions, then by name, and how many more there are. */
    record Ranking(List<DomainTotal> domains, long more) {
        public Ranking {
            domains = List.copyOf(domains);
        }
    }

    /** One domain's sessions of one UTC day, every policy summed. */
    record DailyCount(String domain, LocalDate day, long successes, long failures) {
        public DailyCount {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(day, "day");
        }
    }

    /** A failure-details field the failed sessions of a domain can be counted by; the column is a fixed name. */
    enum Dimension {
        RESULT_TYPE("result_type"),
        REASON_CODE("failure_reason_code"),
        RECEIVING_MX("receiving_mx_hostname"),
        RECEIVING_IP("receiving_ip"),
        SENDING_IP("sending_mta_ip");

        private final String column;

        Dimension(String column) {
            this.column = column;
        }

        /** The column's name, which is also the field's name in the dashboard's JSON and CSV. */
        public String column() {
            return column;
        }
    }

    /** One value of a dimension and its failed sessions; an absent value is "". */
    record ValueCount(String value, long sessions) {
        public ValueCount {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The values with the most failed sessions first, and how many other values there are. */
    record Breakdown(List<ValueCount> values, long more) {
        public Breakdown {
            values = List.copyOf(values);
        }
    }

    Totals totals(LocalDate first, LocalDate last);

    /**
     * How many policy domains had sessions under each policy type in the window (RFC 8460 names: {@code sts},
     * {@code no-policy-found}; {@code tlsa} once DANE is applied), by name; a domain whose policy changed counts
     * under each.
     */
    Map<String, Long> policyTypes(LocalDate first, LocalDate last);

    /** At most {@code limit} (capped at {@link #MAX_ROWS}) domains, ranked by failed sessions. */
    Ranking ranking(LocalDate first, LocalDate last, int limit);

    /**
     * The per-day counts of {@code domains} (at most {@link #MAX_ROWS} of them), ordered by domain and day; days
     * without sessions are absent.
     */
    List<DailyCount> daily(List<String> domains, LocalDate first, LocalDate last);

    /** The result type with the most failed sessions of each of {@code domains}; domains without failures are absent. */
    Map<String, String> dominantResultTypes(List<String> domains, LocalDate first, LocalDate last);

    /** The failed sessions of {@code domain} by {@code dimension}, at most {@code limit} values. */
    Breakdown failures(String domain, Dimension dimension, LocalDate first, LocalDate last, int limit);
}
