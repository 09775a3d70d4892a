package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;

/**
 * The row layout the SQL stores share: a policy's mx patterns and lines each joined with LF (neither contains a
 * line break), mode and failure type by enum name, times as 64-bit epoch seconds.
 */
final class PolicyRows {

    /** The order of {@link PolicyStore#discoveryFailures(String)}. */
    static final Comparator<DiscoveryFailureCount> FAILURES_IN_TIME = Comparator
            .comparing(DiscoveryFailureCount::firstFailed).thenComparing(DiscoveryFailureCount::type);

    private PolicyRows() {
    }

    static String mxText(StsPolicy policy) {
        return String.join("\n", policy.mx().stream().map(MxPattern::pattern).toList());
    }

    /** A row of table {@code policy}; {@code source} names the database in the error of an unreadable row. */
    static CachedPolicy policy(ResultSet rs, String source) throws SQLException {
        String domain = rs.getString("domain");
        try {
            StsPolicy policy = new StsPolicy(PolicyMode.valueOf(rs.getString("mode")), rs.getLong("max_age"),
                    splitLines(rs.getString("mx")).stream().map(MxPattern::new).toList(),
                    splitLines(rs.getString("policy_text")));
            return new CachedPolicy(domain, rs.getString("txt_id"), policy,
                    Instant.ofEpochSecond(rs.getLong("fetched_at")), Instant.ofEpochSecond(rs.getLong("expires_at")),
                    Instant.ofEpochSecond(rs.getLong("last_checked_at")));
        } catch (IllegalArgumentException e) {
            throw new PolicyStoreException(source + ": unreadable row for " + domain + ": " + e.getMessage(), e);
        }
    }

    /** A row of table {@code policy_served}. */
    static ServedPolicy served(ResultSet rs) throws SQLException {
        return new ServedPolicy(rs.getString("domain"), rs.getString("policy_hash"), rs.getString("policy_text"),
                PolicyMode.valueOf(rs.getString("mode")), Instant.ofEpochSecond(rs.getLong("first_served")),
                Instant.ofEpochSecond(rs.getLong("last_served")));
    }

    /** A row of table {@code discovery_failure} whose day column reads as {@code day}. */
    static DiscoveryFailureCount failure(ResultSet rs, LocalDate day) throws SQLException {
        return new DiscoveryFailureCount(rs.getString("domain"), day, FailureType.valueOf(rs.getString("type")),
                rs.getLong("count"), rs.getString("last_detail"), Instant.ofEpochSecond(rs.getLong("first_failed")),
                Instant.ofEpochSecond(rs.getLong("last_failed")));
    }

    static List<String> splitLines(String joined) {
        return joined.isEmpty() ? List.of() : List.of(joined.split("\n", -1));
    }
}
