package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.cache.SqlitePolicyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteInboundReportStoreTest {

    private static final Instant RECEIVED = Instant.parse("2024-05-02T06:00:00Z");

    @TempDir
    Path dir;

    private static InboundReport report(String org, String id, String start, String end) {
        return new InboundReport(org, id, Instant.parse(start), Instant.parse(end), Optional.of("tls@example.net"),
                List.of(new InboundPolicy("sts", List.of("version: STSv1", "mode: enforce"), Optional.of("example.com"),
                        List.of("mx1.example.com"), 7, 1, List.of(new InboundFailure("certificate-expired",
                        Optional.of("192.0.2.1"), Optional.of("mx1.example.com"), Optional.empty(),
                        Optional.of("198.51.100.1"), 1, Optional.empty(), Optional.empty())))),
                List.of("contact-info is null"));
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void storedReportReadsBackEqualWithItsDeviations() {
        InboundReport report = report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z");
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("cache.db"))) {
            assertThat(store.save(report, json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.reports()).containsExactly(report);
        }
    }

    @Test
    void sameOrganisationIdAndRangeIsADuplicateButAnotherRangeIsNot() {
        try (SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("cache.db"))) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"), RECEIVED);

            assertThat(store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"),
                    json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.DUPLICATE);
            assertThat(store.save(report("Example Org", "r1", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"),
                    json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.save(report("Other Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"),
                    json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.reports()).hasSize(3);
        }
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

    @Test
    void closedStoreFailsWithAStoreException() {
        SqliteInboundReportStore store = SqliteInboundReportStore.open(dir.resolve("cache.db"));
        store.close();

        assertThatThrownBy(() -> store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z",
                "2024-05-01T23:59:59Z"), json("{}"), RECEIVED))
                .isInstanceOf(InboundStoreException.class)
                .hasMessageStartingWith("cannot store report r1 from Example Org");
    }
}
