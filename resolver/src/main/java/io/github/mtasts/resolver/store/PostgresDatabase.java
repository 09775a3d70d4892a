package io.github.mtasts.resolver.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * What the PostgreSQL stores of a fleet share: a HikariCP pool on a {@code postgres://} dsn with every wait bounded,
 * and the migration of one group of tables under the advisory lock that serialises hosts starting together. Each
 * group (policies, aggregates, delivery queue...) keeps its own version table, as in {@link SqliteDatabase}, so the
 * groups migrate independently in one database.
 */
public final class PostgresDatabase {

    /** Key of the transaction-level advisory lock held while a schema is migrated ("mtasts" in ASCII). */
    public static final long MIGRATION_LOCK = 0x6d7461737473L;

    /** The server's clock in epoch milliseconds: it judges leases, so the hosts' clocks need not agree. */
    public static final String SERVER_MILLIS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

    private PostgresDatabase() {
    }

    /**
     * A pool on {@code dsn} that fails fast when the server cannot be reached now: the tlsrpt commands report it and
     * exit (a service manager restarts them), unlike the daemon, which must keep answering from memory
     * ({@link #poolWithoutServer}).
     *
     * @param timeout bound of every wait for the server: a pooled connection, connecting, each socket read
     * @throws IllegalArgumentException for a malformed dsn
     * @throws SQLException             when no connection can be made within the timeout
     */
    public static HikariDataSource pool(String dsn, String poolName, Duration timeout, int minSize, int maxSize)
            throws SQLException {
        HikariConfig config = config(dsn, poolName, timeout, minSize, maxSize);
        config.setInitializationFailTimeout(config.getConnectionTimeout());
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            // HikariCP wraps the failed first connection in its own unchecked exception
            throw new SQLException(e.getMessage(), "08001", e);
        }
    }

    /**
     * A pool on {@code dsn} that starts without the server and keeps trying to reach it, for the daemon, which runs
     * on memory meanwhile. Every wait is bounded as in {@link #pool}.
     *
     * @throws IllegalArgumentException for a malformed dsn
     */
    public static HikariDataSource poolWithoutServer(String dsn, String poolName, Duration timeout, int minSize,
                                                     int maxSize) {
        HikariConfig config = config(dsn, poolName, timeout, minSize, maxSize);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static HikariConfig config(String dsn, String poolName, Duration timeout, int minSize, int maxSize) {
        PostgresDsn parsed = PostgresDsn.parse(dsn);
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setJdbcUrl(parsed.jdbcUrl());
        parsed.user().ifPresent(config::setUsername);
        parsed.password().ifPresent(config::setPassword);
        config.setMaximumPoolSize(maxSize);
        config.setMinimumIdle(Math.min(minSize, maxSize));
        // HikariCP accepts nothing below 250 ms
        long millis = Math.max(250, timeout.toMillis());
        config.setConnectionTimeout(millis);
        config.setValidationTimeout(Math.max(250, millis / 2));
        int seconds = (int) Math.max(1, (millis + 999) / 1000);
        config.addDataSourceProperty("connectTimeout", seconds);
        config.addDataSourceProperty("socketTimeout", seconds);
        config.addDataSourceProperty("loginTimeout", seconds);
        config.addDataSourceProperty("ApplicationName", "mtasts");
        return config;
    }

    /**
     * Brings one group of tables to {@code migrations.size()} under the advisory lock, in one transaction.
     *
     * @param tables       what the tables are, for messages ("aggregate", "delivery queue"...)
     * @param versionTable the table holding this group's schema version
     * @throws NewerSchemaException when the tables are newer than this program
     * @throws SQLException         when migrating fails
     */
    public static void migrate(Connection c, String tables, String versionTable, List<List<String>> migrations)
            throws SQLException {
        int target = migrations.size();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            st.execute("CREATE TABLE IF NOT EXISTS " + versionTable + " (version INTEGER NOT NULL)");
            int version = 0;
            try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM " + versionTable)) {
                if (rs.next()) {
                    version = rs.getInt(1);
                }
            }
            if (version > target) {
                throw new NewerSchemaException(tables, version, target);
            }
            for (int step = version; step < target; step++) {
                for (String sql : migrations.get(step)) {
                    st.execute(sql);
                }
            }
            if (version < target) {
                st.execute("DELETE FROM " + versionTable);
                st.execute("INSERT INTO " + versionTable + " (version) VALUES (" + target + ")");
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Takes, renews or keeps the lease {@code name} of table {@code table} (columns name, owner, expires_at_millis)
     * in one upsert: it inserts, renews our own lease, or takes over an expired one; a live foreign lease stays.
     * The server's clock judges expiry.
     *
     * @return whether {@code owner} holds the lease for {@code ttl} from now
     */
    public static boolean tryLease(Connection c, String table, String name, String owner, Duration ttl)
            throws SQLException {
        String sql = "INSERT INTO " + table + " AS l (name, owner, expires_at_millis) VALUES (?, ?, " + SERVER_MILLIS
                + " + ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                + " expires_at_millis = excluded.expires_at_millis"
                + " WHERE l.owner = excluded.owner OR l.expires_at_millis <= " + SERVER_MILLIS;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, owner);
            ps.setLong(3, ttl.toMillis());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * A deadlock (40P01) or serialization failure (40001): the server aborted the transaction and it can simply be
     * run again. Writers sort their rows so that deadlocks should not happen; this is the net beneath.
     */
    public static boolean isRetryable(SQLException e) {
        return "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
    }

    /** The tables' schema version is newer than the one this program knows: it must not touch them. */
    public static final class NewerSchemaException extends SQLException {
        private final int version;
        private final int known;

        NewerSchemaException(String tables, int version, int known) {
            super("the " + tables + " tables have schema version " + version + ", newer than the " + known
                    + " this program knows; refusing to touch them");
            this.version = version;
            this.known = known;
        }

        /** The version the tables have. */
        public int version() {
            return version;
        }

        /** The version this program migrates to. */
        public int known() {
            return known;
        }
    }
}
