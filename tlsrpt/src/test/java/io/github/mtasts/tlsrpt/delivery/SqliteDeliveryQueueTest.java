package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.TlsRptReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on a SQLite file, and what only the SQLite queue does. */
class SqliteDeliveryQueueTest extends DeliveryQueueContract {

    @TempDir
    Path dir;

    @Override
    DeliveryQueue open() {
        return SqliteDeliveryQueue.open(dir.resolve("q.db"));
    }

    @Test
    void aVersionOneQueueIsMigratedWithItsRowsKept() throws Exception {
        TlsRptReport report = report(DAY, "a.test", 1);
        try (DeliveryQueue queue = open()) {
            queue.addReport(report, NOW);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW)), null);
        }
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("q.db"));
             var st = connection.createStatement()) {
            st.execute("ALTER TABLE delivery DROP COLUMN sending_detail");
            st.execute("DROP TABLE queue_lease");
            st.execute("UPDATE queue_schema_version SET version = 1");
        }
        try (DeliveryQueue queue = open()) {
            QueuedDelivery claimed = queue.claim(queue.due(NOW, Optional.empty()).get(0), NOW, NOW.plusSeconds(9))
                    .orElseThrow();
            assertThat(queue.markSending(claimed, NOW, "detail")).isTrue();
            assertThat(queue.deliveries(DAY).get(0).sendingDetail()).isEqualTo("detail");
        }
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        open().close();
        try (var connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("q.db"));
             var st = connection.createStatement()) {
            st.execute("UPDATE queue_schema_version SET version = 99");
        }
        assertThatThrownBy(this::open).isInstanceOf(DeliveryQueueException.class)
                .hasMessageContaining("schema version 99");
    }
}
