package io.github.mtasts.tlsrpt.schedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;

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
