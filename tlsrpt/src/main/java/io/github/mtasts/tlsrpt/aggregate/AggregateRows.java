package io.github.mtasts.tlsrpt.aggregate;

import io.github.mtasts.tlsrpt.logs.RejectReason;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL both aggregate stores share: the tables' statistic names, the reading of a day's rows and of the ingest
 * statistics, and the one order in which a batch's rows are written. Writers that share a PostgreSQL database must
 * lock rows in the same order, or two batches touching the same counters in opposite orders deadlock.
 */
final class AggregateRows {
    static final String PARSED = "parsed";
    static final String UNCOUNTED = "uncounted_sessions";
    static final String REJECTED = "rejected.";

    /** Columns of a day's counts, selected by both stores. */
    static final String COUNT_COLUMNS = "policy_domain, policy_type, policy_hash, success, failure";
    static final String COUNT_ORDER = "ORDER BY policy_domain, policy_type, policy_hash";
    static final String DETAIL_COLUMNS = "policy_domain, policy_type, policy_hash, result_type, sending_mta_ip,"
            + " receiving_mx_hostname, receiving_mx_helo, receiving_ip, failure_reason_code, count";
    static final String DETAIL_ORDER = "ORDER BY policy_domain, policy_type, policy_hash, count DESC, result_type,"
            + " receiving_mx_hostname, receiving_ip, sending_mta_ip, failure_reason_code";

    private static final Comparator<AggregateBatch.CountKey> COUNT_KEYS = Comparator
            .comparing(AggregateBatch.CountKey::day)
            .thenComparing(AggregateBatch.CountKey::policyDomain)
            .thenComparing(k -> k.policy().type())
            .thenComparing(k -> k.policy().policyHash());
    private static final Comparator<FailureKey> DETAILS = Comparator
            .comparing(FailureKey::resultType)
            .thenComparing(FailureKey::sendingMtaIp)
            .thenComparing(FailureKey::receivingMxHostname)
            .thenComparing(FailureKey::receivingIp)
            .thenComparing(FailureKey::failureReasonCode);

    private AggregateRows() {
    }

    static List<Map.Entry<AggregateBatch.CountKey, long[]>> sessionsInOrder(AggregateBatch batch) {
        List<Map.Entry<AggregateBatch.CountKey, long[]>> rows = new ArrayList<>(batch.sessionCounts().entrySet());
        rows.sort(Map.Entry.comparingByKey(COUNT_KEYS));
        return rows;
    }

    static List<Map.Entry<AggregateBatch.FailureCountKey, Long>> failuresInOrder(AggregateBatch batch) {
        List<Map.Entry<AggregateBatch.FailureCountKey, Long>> rows = new ArrayList<>(batch.failureCounts().entrySet());
        rows.sort(Map.Entry.comparingByKey(Comparator.comparing(AggregateBatch.FailureCountKey::count, COUNT_KEYS)
                .thenComparing(AggregateBatch.FailureCountKey::detail, DETAILS)));
        return rows;
    }

    /** (statistic name, count) of the batch, by name, without zeros. */
    static Map<String, Long> statsInOrder(AggregateBatch batch) {
        Map<String, Long> stats = new TreeMap<>();
        if (batch.parsedLines() > 0) {
            stats.put(PARSED, batch.parsedLines());
        }
        if (batch.uncountedSessions() > 0) {
            stats.put(UNCOUNTED, batch.uncountedSessions());
        }
        batch.rejected().forEach((reason, n) -> stats.put(REJECTED + reason.name(), n));
        return stats;
    }

    /**
     * The day's counts from the two bound queries, {@code details} selecting {@link #DETAIL_COLUMNS} and
     * {@code counts} selecting {@link #COUNT_COLUMNS}.
     */
    static List<DomainDay> day(LocalDate day, PreparedStatement details, PreparedStatement counts)
            throws SQLException {
        Map<AggregateBatch.CountKey, List<DomainDay.FailureCount>> byKey = new LinkedHashMap<>();
        try (ResultSet rs = details.executeQuery()) {
            while (rs.next()) {
                FailureKey detail = new FailureKey(resultType(rs.getString("result_type")),
                        rs.getString("sending_mta_ip"), rs.getString("receiving_mx_hostname"),
                        rs.getString("receiving_mx_helo"), rs.getString("receiving_ip"),
                        rs.getString("failure_reason_code"));
                byKey.computeIfAbsent(countKey(day, rs), k -> new ArrayList<>())
                        .add(new DomainDay.FailureCount(detail, rs.getLong("count")));
            }
        }
        List<DomainDay> result = new ArrayList<>();
        try (ResultSet rs = counts.executeQuery()) {
            while (rs.next()) {
                AggregateBatch.CountKey key = countKey(day, rs);
                result.add(new DomainDay(day, key.policyDomain(), key.policy(), rs.getLong("success"),
                        rs.getLong("failure"), byKey.getOrDefault(key, List.of())));
            }
        }
        return result;
    }

    private static AggregateBatch.CountKey countKey(LocalDate day, ResultSet rs) throws SQLException {
        return new AggregateBatch.CountKey(day, rs.getString("policy_domain"),
                new PolicyGroup(PolicyType.fromRfcName(rs.getString("policy_type")), rs.getString("policy_hash")));
    }

    private static ResultType resultType(String rfcName) {
        for (ResultType type : ResultType.values()) {
            if (type.rfcName().equals(rfcName)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown result type " + rfcName);
    }

    /** The statistics from (name, count) rows and (reason, line) sample rows in order. */
    static IngestStats stats(ResultSet stats, ResultSet samples) throws SQLException {
        long parsed = 0;
        long uncounted = 0;
        Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        while (stats.next()) {
            String name = stats.getString(1);
            if (name.equals(PARSED)) {
                parsed = stats.getLong(2);
            } else if (name.equals(UNCOUNTED)) {
                uncounted = stats.getLong(2);
            } else if (name.startsWith(REJECTED)) {
                rejected.put(RejectReason.valueOf(name.substring(REJECTED.length())), stats.getLong(2));
            }
        }
        List<AggregateBatch.Sample> kept = new ArrayList<>();
        while (samples.next()) {
            kept.add(new AggregateBatch.Sample(RejectReason.valueOf(samples.getString(1)), samples.getString(2)));
        }
        return new IngestStats(parsed, rejected, kept, uncounted);
    }
}
