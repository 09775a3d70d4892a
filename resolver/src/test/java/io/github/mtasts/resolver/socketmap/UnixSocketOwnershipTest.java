package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketOwnershipTest {

    @Test
    void missingUserIsNamedWithItsKey() {
        assertThatThrownBy(() -> UnixSocketOwnership.lookUp(Optional.of("no-such-user-mtasts"), Optional.empty()))
                .isInstanceOf(IOException.class)
                .hasMessage("owner: no user \"no-such-user-mtasts\" on this system (the UNIX socket's owner)");
    }

    @Test
    void missingGroupIsNamedWithItsKey() {
        assertThatThrownBy(() -> UnixSocketOwnership.lookUp(Optional.empty(), Optional.of("no-such-group-mtasts")))
                .isInstanceOf(IOException.class)
                .hasMessage("group: no group \"no-such-group-mtasts\" on this system (the UNIX socket's group)");
    }

    @Test
    void theDaemonsOwnGroupCanBeGivenWithoutPrivilege(@TempDir Path dir) throws IOException {
        Path socket = Files.createFile(dir.resolve("mtasts.sock"));
        String group = Files.readAttributes(socket, PosixFileAttributes.class).group().getName();
        UnixSocketOwnership.lookUp(Optional.empty(), Optional.of(group)).applyTo(socket);
        assertThat(Files.readAttributes(socket, PosixFileAttributes.class).group().getName()).isEqualTo(group);
    }
}
