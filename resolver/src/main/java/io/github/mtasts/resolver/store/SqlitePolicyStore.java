package io.github.mtasts.resolver.store;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The {@code sqlite} cache type: one database file in WAL mode, so policies survive a restart and a restart opens no
 * downgrade window (RFC 8461 §10.2). One connection, used under this object's lock; the cache calls it from a single
 * store thread. Times are 64-bit epoch seconds.
 */
public final class SqlitePolicyStore implements PolicyStore {

    /** Schema steps; step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE policy (
              domain TEXT PRIMARY KEY,
              txt_id TEXT NOT NULL,
              mode TEXT NOT NULL,
              max_age INTEGER NOT NULL,
              mx TEXT NOT NULL,
              policy_text TEXT NOT NULL,
              fetched_at INTEGER NOT NULL,
              expires_at INTEGER NOT NULL,
              last_checked_at INTEGER NOT NULL)""",
            """
            CREATE TABLE policy_served (
              domain TEXT NOT NULL,
              policy_hash TEXT NOT NULL,
              policy_text TEXT NOT NULL,
              mode TEXT NOT NULL,
              first_served INTEGER NOT NULL,
              last_served INTEGER NOT NULL,
              PRIMARY KEY (domain, policy_hash))""",
            """
            CREATE TABLE discovery_failure (
              domain TEXT NOT NULL,
              day TEXT NOT NULL,
              type TEXT NOT NULL,
              count INTEGER NOT NULL,
              last_detail TEXT NOT NULL,
              PRIMARY KEY (domain, day, type))"""),
            List.of("""
            CREATE TABLE lease (
              name TEXT PRIMARY KEY,
              owner TEXT NOT NULL,
              expires_at_millis INTEGER NOT NULL)"""),
            // failure times, so TLSRPT can tell the sessions a failure preceded from those before it; rows older
            // than this step get DiscoveryFailureCount.legacyTime, the last second of their day
            List.of("ALTER TABLE discovery_failure ADD COLUMN first_failed INTEGER NOT NULL DEFAULT 0",
                    "ALTER TABLE discovery_failure ADD COLUMN last_failed INTEGER NOT NULL DEFAULT 0",
                    """
                    UPDATE discovery_failure SET
                      first_failed = CAST(strftime('%s', day) AS INTEGER) + 86399,
                      last_failed = CAST(strftime('%s', day) AS INTEGER) + 86399""",
                    "CREATE INDEX discovery_failure_by_domain ON discovery_failure (domain, first_failed)"));

    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private final Path file;
    private final Connection connection;

    private SqlitePolicyStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if needed) the database {@code file} and brings its schema to {@link #SCHEMA_VERSION}. */
    public static SqlitePolicyStore open(Path file) {
        try {
            return new SqlitePolicyStore(file, SqliteDatabase.open(file, "policy", "schema_version", MIGRATIONS,
                    Duration.ofSeconds(5), SqliteDatabase.Durability.PROCESS_CRASH));
        } catch (SQLException e) {
            throw new PolicyStoreException("cannot open policy database " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Optional<CachedPolicy> load(String domain) {
        try (PreparedStatement ps = connection.prepareStatement("SELECT * FROM policy WHERE domain = ?")) {
            ps.setString(1, domain);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(PolicyRows.policy(rs, "policy database " + file)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("load policy of " + domain, e);
        }
    }

    @Override
    public synchronized List<CachedPolicy> loadAll() {
        try (PreparedStatement ps = connection.prepareStatement("SELECT * FROM policy ORDER BY domain");
             ResultSet rs = ps.executeQuery()) {
            List<CachedPolicy> result = new ArrayList<>();
            while (rs.next()) {
                result.add(PolicyRows.policy(rs, "policy database " + file));
            }
            return result;
        } catch (SQLException e) {
            throw failure("load all policies", e);
        }
    }

    @Override
    public synchronized void save(CachedPolicy p) {
        String sql = """
                INSERT OR REPLACE INTO policy
                  (domain, txt_id, mode, max_age, mx, policy_text, fetched_at, expires_at, last_checked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, p.domain());
            ps.setString(2, p.txtId());
            ps.setString(3, p.policy().mode().name());
            ps.setLong(4, p.policy().maxAge());
            ps.setString(5, PolicyRows.mxText(p.policy()));
            ps.setString(6, ServedPolicy.textOf(p.policy()));
            ps.setLong(7, p.fetchedAt().getEpochSecond());
            ps.setLong(8, p.expiresAt().getEpochSecond());
            ps.setLong(9, p.lastCheckedAt().getEpochSecond());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("save policy of " + p.domain(), e);
        }
    }

    @Override
    public synchronized void remove(String domain) {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM policy WHERE domain = ?")) {
            ps.setString(1, domain);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("remove policy of " + domain, e);
        }
    }

    @Override
    public synchronized void policyServed(String domain, StsPolicy policy, Instant from, Instant until) {
        String sql = """
                INSERT INTO policy_served (domain, policy_hash, policy_text, mode, first_served, last_served)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (domain, policy_hash) DO UPDATE SET
                  first_served = min(first_served, excluded.first_served),
                  last_served = max(last_served, excluded.last_served)""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, domain);
            ps.setString(2, ServedPolicy.hashOf(policy));
            ps.setString(3, ServedPolicy.textOf(policy));
            ps.setString(4, policy.mode().name());
            ps.setLong(5, from.getEpochSecond());
            ps.setLong(6, until.getEpochSecond());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("record served policy of " + domain, e);
        }
    }

    @Override
    public synchronized List<ServedPolicy> servedPolicies(String domain) {
        String sql = "SELECT * FROM policy_served WHERE domain = ? ORDER BY first_served, policy_hash";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, domain);
            try (ResultSet rs = ps.executeQuery()) {
                List<ServedPolicy> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(PolicyRows.served(rs));
                }
                return result;
            }
        } catch (SQLException e) {
            throw failure("read served policies of " + domain, e);
        }
    }

    @Override
    public synchronized void discoveryFailure(String domain, Instant at, FailureType type, String detail) {
        String sql = """
                INSERT INTO discovery_failure (domain, day, type, count, last_detail, first_failed, last_failed)
                VALUES (?1, ?2, ?3, 1, ?4, ?5, ?5)
                ON CONFLICT (domain, day, type) DO UPDATE SET
                  count = count + 1,
                  last_detail = CASE WHEN excluded.last_failed >= last_failed THEN excluded.last_detail
                                ELSE last_detail END,
                  first_failed = min(first_failed, excluded.first_failed),
                  last_failed = max(last_failed, excluded.last_failed)""";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, domain);
            ps.setString(2, DiscoveryFailureCount.dayOf(at).toString());
            ps.setString(3, type.name());
            ps.setString(4, detail);
            ps.setLong(5, at.getEpochSecond());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("count discovery failure of " + domain, e);
        }
    }

    @Override
    public synchronized List<DiscoveryFailureCount> discoveryFailures(LocalDate day) {
        String sql = "SELECT * FROM discovery_failure WHERE day = ? ORDER BY domain, type";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, day.toString());
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
        } catch (SQLException e) {
            throw failure("read discovery failures of " + day, e);
        }
    }

    @Override
    public synchronized List<DiscoveryFailureCount> discoveryFailures(String domain) {
        String sql = "SELECT * FROM discovery_failure WHERE domain = ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, domain);
            try (ResultSet rs = ps.executeQuery()) {
                List<DiscoveryFailureCount> result = new ArrayList<>();
                while (rs.next()) {
                    result.add(PolicyRows.failure(rs, LocalDate.parse(rs.getString("day"))));
                }
                result.sort(PolicyRows.FAILURES_IN_TIME);
                return result;
            }
        } catch (SQLException e) {
            throw failure("read discovery failures of " + domain, e);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new PolicyStoreException("policy database " + file + ": unreadable discovery failure of " + domain
                    + ": " + e.getMessage(), e);
        }
    }

    /** Processes sharing the file share one host clock, which judges expiry. */
    @Override
    public synchronized boolean tryLease(String name, String owner, Duration ttl) {
        String sql = """
                INSERT INTO lease (name, owner, expires_at_millis) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at_millis = excluded.expires_at_millis
                WHERE lease.owner = excluded.owner OR lease.expires_at_millis <= ?""";
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, owner);
            ps.setLong(3, now + ttl.toMillis());
            ps.setLong(4, now);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("take lease " + name, e);
        }
    }

    private PolicyStoreException failure(String what, SQLException e) {
        return new PolicyStoreException("policy database " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }
}
