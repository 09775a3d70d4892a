package io.github.mtasts.resolver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresDsnTest {

    @Test
    void uriBecomesJdbcUrlWithUserAndPasswordApart() {
        PostgresDsn dsn = PostgresDsn.parse("postgres://mta%40sts:p%3Ass@db.example:5433/cache?sslmode=require");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/cache?sslmode=require");
        assertThat(dsn.user()).contains("mta@sts");
        assertThat(dsn.password()).contains("p:ss");
    }

    @Test
    void severalHostsAndNoUserArePassedOn() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://h1:5432,h2:5433/cache");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433/cache");
        assertThat(dsn.user()).isEqualTo(Optional.empty());
        assertThat(dsn.password()).isEmpty();
    }

    @Test
    void missingHostMeansLocalhost() {
        assertThat(PostgresDsn.parse("postgresql:///cache").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/cache");
    }

    @Test
    void socketDirectoryHostIsRefusedWithTheWayOut() {
        assertThatThrownBy(() -> PostgresDsn.parse("postgres://user@%2Frun%2Fpostgresql/user"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unix-domain socket")
                .hasMessageContaining("host:port");
    }

    @Test
    void otherSchemeIsRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> PostgresDsn.parse("mysql://user:secret@db/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postgres://")
                .hasMessageNotContaining("secret");
    }
}
