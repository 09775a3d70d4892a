package io.github.mtasts.resolver.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * Opens the one SQLite file that every durable fact lives in (DESIGN: one store) for one group of tables: WAL mode,
 * a busy timeout for the other processes sharing the file, and the group's own schema version table, so the policy
 * cache, the aggregates, the delivery queue and the inbound reports migrate independently.
 */
public final class SqliteDatabase {

    /** How much a commit must survive: a crash of this process (NORMAL in WAL mode) or also a power loss (FULL). */
    public enum Durability { PROCESS_CRASH, POWER_LOSS }

    private SqliteDatabase() {
    }

    /**
     * @param file          the database file, created when missing
     * @param tables        what the tables are, for messages ("policy", "delivery queue"...)
     * @param versionTable  the table holding this group's schema version
     * @param migrations    statements per version step; the schema version is {@code migrations.size()}
     * @param extraPragmas  further {@code PRAGMA} statements for this connection (e.g. {@code foreign_keys = ON})
     * @throws SQLException when the file cannot be opened or migrated, or its tables are newer than this program
     */
    public static Connection open(Path file, String tables, String versionTable, List<List<String>> migrations,
            Duration busyTimeout, Durability durability, String... extraPragmas) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try {
            try (Statement st = connection.createStatement()) {
                st.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
                st.execute("PRAGMA journal_mode = WAL");
                // in WAL mode NORMAL keeps every commit through a kill -9; FULL also through a power loss
                st.execute("PRAGMA synchronous = " + (durability == Durability.POWER_LOSS ? "FULL" : "NORMAL"));
                for (String pragma : extraPragmas) {
                    st.execute("PRAGMA " + pragma);
                }
            }
            migrate(connection, file, tables, versionTable, migrations);
            return connection;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already failing; the original error is the one to report
            }
            throw e;
        }
    }

    private static void migrate(Connection connection, Path file, String tables, String versionTable,
            List<List<String>> migrations) throws SQLException {
        int target = migrations.size();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + versionTable + " (version INTEGER NOT NULL)");
            int version = 0;
            try (ResultSet rs = st.executeQuery("SELECT max(version) FROM " + versionTable)) {
                if (rs.next()) {
                    version = rs.getInt(1);
                }
            }
            if (version > target) {
                throw new SQLException("the " + tables + " tables in " + file + " have schema version " + version
                        + ", newer than the " + target + " this program knows; refusing to touch them");
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
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
