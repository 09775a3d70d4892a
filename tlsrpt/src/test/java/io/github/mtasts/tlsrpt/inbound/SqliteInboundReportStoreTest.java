package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.store.SqlitePolicyStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on a SQLite file, and what only the SQLite store does. */
class SqliteInboundReportStoreTest extends InboundReportStoreContract {

    @TempDir
    Path dir;

    @Override
    InboundReportStore open() {
        return SqliteInboundReportStore.open(dir.resolve("cache.db"));
    }

    @Test
    void sharesThePolicyCacheFileWithoutTouchingItsSchema() throws Exception {
        Path file = dir.resolve("cache.db");
        SqlitePolicyStore.open(file).close();
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(file)) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"), RECEIVED);
        }
        // both reopen cleanly, each at its own schema version
        SqlitePolicyStore.open(file).close();
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(file);
             Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT received_at, start_time FROM inbound_report")) {
            assertThat(store.reports()).hasSize(1);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(RECEIVED.getEpochSecond());
            assertThat(rs.getLong(2)).isEqualTo(Instant.parse("2024-05-01T00:00:00Z").getEpochSecond());
        }
    }

    @Test
    void newerInboundSchemaIsRefused() throws Exception {
        Path file = dir.resolve("cache.db");
        SqliteInboundReportStore.open(file).close();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = db.createStatement()) {
            st.execute("UPDATE inbound_schema_version SET version = " + (SqliteInboundReportStore.SCHEMA_VERSION + 1));
        }

        assertThatThrownBy(() -> SqliteInboundReportStore.open(file))
                .isInstanceOf(InboundStoreException.class)
                .hasMessageContaining("newer than the " + SqliteInboundReportStore.SCHEMA_VERSION);
    }
}
