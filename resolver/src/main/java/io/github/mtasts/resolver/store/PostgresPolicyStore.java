package io.github.mtasts.resolver.store;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code postgres} cache type: the tables of {@link SqlitePolicyStore} in a PostgreSQL database that several
 * daemons share, so a policy one of them discovered is served by all, and one of them does the proactive refresh.
 *
 * <p>A HikariCP pool keeps the connections and replaces broken ones by itself, so an outage ends without our help.
 * Every call is bounded by the configured timeout (waiting for a connection, connecting, and each socket read), and
 * after a connection failure calls fail at once for a growing delay, so a dead server never holds up the cache's
 * store thread for long. The schema is created or
 * migrated, under an advisory lock that serialises daemons starting together, on the first connection: at start-up,
 * or after the server comes back when it was down at start-up. Times are BIGINT epoch seconds (no 2038 overflow).
 */
public final class PostgresPolicyStore implements PolicyStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresPolicyStore.class);

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE policy (
              domain TEXT PRIMARY KEY,
              txt_id TEXT NOT NULL,
              mode TEXT NOT NULL,
              max_age BIGINT NOT NULL,
              mx TEXT NOT NULL,
              policy_text TEXT NOT NULL,
              fetched_at BIGINT NOT NULL,
              expires_at BIGINT NOT NULL,
              last_checked_at BIGINT NOT NULL)""",
            """
            CREATE TABLE policy_served (
              domain TEXT NOT NULL,
              policy_hash TEXT NOT NULL,
              policy_text TEXT NOT NULL,
              mode TEXT NOT NULL,
              first_served BIGINT NOT NULL,
              last_served BIGINT NOT NULL,
              PRIMARY KEY (domain, policy_hash))""",
            """
            CREATE TABLE discovery_failure (
              domain TEXT NOT NULL,
              day DATE NOT NULL,
              type TEXT NOT NULL,
              count BIGINT NOT NULL,
              last_detail TEXT NOT NULL,
              PRIMARY KEY (domain, day, type))""",
            """
            CREATE TABLE lease (
              name TEXT PRIMARY KEY,
              owner TEXT NOT NULL,
              expires_at_millis BIGINT NOT NULL)"""),
            // failure times, so TLSRPT can tell the sessions a failure preceded from those before it; rows older
            // than this step get DiscoveryFailureCount.legacyTime, the last second of their day
            List.of("ALTER TABLE discovery_failure ADD COLUMN first_failed BIGINT, ADD COLUMN last_failed BIGINT",
                    """
                    UPDATE discovery_failure SET
                      first_failed = extract(epoch FROM day)::bigint + 86399,
                      last_failed = extract(epoch FROM day)::bigint + 86399""",
                    """
                    ALTER TABLE discovery_failure ALTER COLUMN first_failed SET NOT NULL,
                      ALTER COLUMN last_failed SET NOT NULL""",
                    "CREATE INDEX discovery_failure_by_domain ON discovery_failure (domain, first_failed)"));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String description;
    private final HikariDataSource pool;
    private volatile boolean schemaReady;
    private boolean unreachable;
    private long nextAttemptNanos;
    private Duration backoff = FIRST_BACKOFF;

    private PostgresPolicyStore(String description, HikariDataSource pool) {
        this.description = description;
        this.pool = pool;
    }

    /**
     * Opens a pool on {@code dsn} and migrates the schema. A server that cannot be reached now does not fail the
     * call (the daemon then runs on memory until it can); a schema newer than ours does.
     *
     * @param timeout bound of every wait for the server
     * @param minSize connections kept open
     * @param maxSize connections at most
     * @throws IllegalArgumentException for a malformed dsn
     * @throws PolicyStoreException     when the database's schema is newer than this program's
     */
    public static PostgresPolicyStore open(String dsn, Duration timeout, int minSize, int maxSize) {
        // start without the server: the pool keeps trying, and the cache runs on memory meanwhile
        HikariDataSource pool = PostgresDatabase.poolWithoutServer(dsn, "mtasts-policy-store", timeout, minSize,
                maxSize);
        PostgresPolicyStore store = new PostgresPolicyStore("policy database " + PostgresDsn.redact(dsn), pool);
        try {
            store.withConnection("create the schema", c -> null);
        } catch (PolicyStoreException e) {
            if (!(e.getCause() instanceof SQLException)) {
                store.close();
                throw e;
            }
            log.warn("{} unreachable at start-up ({}); the schema is checked when it answers",
                    store.description, e.getMessage());
        }
        return store;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> T withConnection(String what, SqlWork<T> work) {
        long now = System.nanoTime();
        synchronized (this) {
            if (unreachable && now - nextAttemptNanos < 0) {
                throw new PolicyStoreException(description + ": cannot " + what + ": server unreachable, next"
                        + " attempt within " + backoff.toSeconds() + " s");
            }
        }
        try (Connection c = pool.getConnection()) {
            if (!schemaReady) {
                migrate(c);
                schemaReady = true;
            }
            T result = work.apply(c);
            reachable();
            return result;
        } catch (SQLException e) {
            if (isConnectionFailure(e)) {
                unreachable(now);
            }
            throw new PolicyStoreException(description + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** SQLSTATE class 08 (connection exception), or the pool giving up waiting for a connection. */
    private static boolean isConnectionFailure(SQLException e) {
        return e instanceof SQLTransientConnectionException
                || (e.getSQLState() != null && e.getSQLState().startsWith("08"));
    }

    /**
     * Each call to a dead server would wait out the timeout on the cache's single store thread, and the calls queued
     * behind it (misses waiting for their store read) would wait for all of them; so after a connection failure calls
     * fail at once until the next attempt, with a delay doubling up to {@link #MAX_BACKOFF}.
     */
    private synchronized void unreachable(long now) {
        backoff = unreachable ? min(backoff.multipliedBy(2), MAX_BACKOFF) : FIRST_BACKOFF;
        unreachable = true;
        nextAttemptNanos = now + backoff.toNanos();
    }

    private synchronized void reachable() {
        unreachable = false;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void migrate(Connection c) throws SQLException {
        try {
            PostgresDatabase.migrate(c, "policy", "schema_version", MIGRATIONS);
        } catch (PostgresDatabase.NewerSchemaException e) {
            throw new PolicyStoreException(description + " has schema version " + e.version() + ", newer than the "
                    + e.known() + " this program knows; refusing to touch it");
        }
    }

    @Override
    public Optional<CachedPolicy> load(String domain) {
        return withConnection("load policy of " + domain, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM policy WHERE domain = ?")) {
                ps.setString(1, domain);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(PolicyRows.policy(rs, description)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<CachedPolicy> loadAll() {
        return withConnection("load all policies", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM policy ORDER BY domain");
                 ResultSet rs = ps.executeQuery()) {
                List<CachedPolicy> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(PolicyRows.policy(rs, description));
                }
                return result;
            }
        });
    }

    @Override
    public void save(CachedPolicy p) {
        String sql = """
                INSERT INTO policy
                  (domain, txt_id, mode, max_age, mx, policy_text, fetched_at, expires_at, last_checked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (domain) DO UPDATE SET
                  txt_id = excluded.txt_id, mode = excluded.mode, max_age = excluded.max_age, mx = excluded.mx,
                  policy_text = excluded.policy_text, fetched_at = excluded.fetched_at,
                  expires_at = excluded.expires_at, last_checked_at = excluded.last_checked_at""";
        withConnection("save policy of " + p.domain(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, p.domain());
                ps.setString(2, p.txtId());
                ps.setString(3, p.policy().mode().name());
                ps.setLong(4, p.policy().maxAge());
                ps.setString(5, PolicyRows.mxText(p.policy()));
                ps.setString(6, ServedPolicy.textOf(p.policy()));
                ps.setLong(7, p.fetchedAt().getEpochSecond());
                ps.setLong(8, p.expiresAt().getEpochSecond());
                ps.setLong(9, p.lastCheckedAt().getEpochSecond());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void remove(String domain) {
        withConnection("remove policy of " + domain, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM policy WHERE domain = ?")) {
                ps.setString(1, domain);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void policyServed(String domain, StsPolicy policy, Instant from, Instant until) {
        String sql = """
                INSERT INTO policy_served (domain, policy_hash, policy_text, mode, first_served, last_served)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (domain, policy_hash) DO UPDATE SET
                  first_served = least(policy_served.first_served, excluded.first_served),
                  last_served = greatest(policy_served.last_served, excluded.last_served)""";
        withConnection("record served policy of " + domain, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, domain);
                ps.setString(2, ServedPolicy.hashOf(policy));
                ps.setString(3, ServedPolicy.textOf(policy));
                ps.setString(4, policy.mode().name());
                ps.setLong(5, from.getEpochSecond());
                ps.setLong(6, until.getEpochSecond());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<ServedPolicy> servedPolicies(String domain) {
        String sql = "SELECT * FROM policy_served WHERE domain = ? ORDER BY first_served, policy_hash";
        return withConnection("read served policies of " + domain, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, domain);
                try (ResultSet rs = ps.executeQuery()) {
                    List<ServedPolicy> result = new ArrayList<>();
                    while (rs.next()) {
                        result.add(PolicyRows.served(rs));
                    }
                    return result;
                }
            }
        });
    }

    @Override
    public void discoveryFailure(String domain, Instant at, FailureType type, String detail) {
        String sql = """
                INSERT INTO discovery_failure (domain, day, type, count, last_detail, first_failed, last_failed)
                VALUES (?, ?, ?, 1, ?, ?, ?)
                ON CONFLICT (domain, day, type) DO UPDATE SET
                  count = discovery_failure.count + 1,
                  last_detail = CASE WHEN excluded.last_failed >= discovery_failure.last_failed
                                THEN excluded.last_detail ELSE discovery_failure.last_detail END,
                  first_failed = least(discovery_failure.first_failed, excluded.first_failed),
                  last_failed = greatest(discovery_failure.last_failed, excluded.last_failed)""";
        withConnection("count discovery failure of " + domain, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, domain);
                ps.setObject(2, DiscoveryFailureCount.dayOf(at));
                ps.setString(3, type.name());
                ps.setString(4, detail);
                ps.setLong(5, at.getEpochSecond());
                ps.setLong(6, at.getEpochSecond());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<DiscoveryFailureCount> discoveryFailures(LocalDate day) {
        String sql = "SELECT * FROM discovery_failure WHERE day = ? ORDER BY domain, type";
        return withConnection("read discovery failures of " + day, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, day);
                try (ResultSet rs = ps.executeQuery()) {
                    List<DiscoveryFailureCount> result = new ArrayList<>();
                    while (rs.next()) {
                        result.add(PolicyRows.failure(rs, day));
                    }
                    // ORDER BY sorts type names alphabetically; callers expect the enum order
                    result.sort(Comparator.comparing(DiscoveryFailureCount::domain)
                            .thenComparing(DiscoveryFailureCount::type));
                    return result;
                }
            }
        });
    }

    @Override
    public List<DiscoveryFailureCount> discoveryFailures(String domain) {
        String sql = "SELECT * FROM discovery_failure WHERE domain = ?";
        return withConnection("read discovery failures of " + domain, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, domain);
                try (ResultSet rs = ps.executeQuery()) {
                    List<DiscoveryFailureCount> result = new ArrayList<>();
                    while (rs.next()) {
                        result.add(PolicyRows.failure(rs, rs.getObject("day", LocalDate.class)));
                    }
                    result.sort(PolicyRows.FAILURES_IN_TIME);
                    return result;
                }
            }
        });
    }

    @Override
    public boolean tryLease(String name, String owner, Duration ttl) {
        return withConnection("take lease " + name, c -> PostgresDatabase.tryLease(c, "lease", name, owner, ttl));
    }

    @Override
    public void close() {
        pool.close();
    }
}
