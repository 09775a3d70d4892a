package io.github.mtasts.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyCycleTest {

    @TempDir
    Path dir;

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    @Test
    void requestIsTheNetstringOfMapSpaceKey() {
        KeyCycle cycle = KeyCycle.of("postfix", List.of("example.com"));
        assertThat(text(cycle.request(0, 0))).isEqualTo("19:postfix example.com,");
    }

    @Test
    void connectionWalksAllKeysFromItsOwnOffsetAndWrapsAround() {
        KeyCycle cycle = KeyCycle.of("m", List.of("a", "b", "c"));
        assertThat(List.of(text(cycle.request(1, 0)), text(cycle.request(1, 1)), text(cycle.request(1, 2)),
                text(cycle.request(1, 3)))).containsExactly("3:m b,", "3:m c,", "3:m a,", "3:m b,");
        assertThat(text(cycle.request(0, 0))).isEqualTo("3:m a,");
    }

    @Test
    void keyLengthIsCountedInBytesNotCharacters() {
        KeyCycle cycle = KeyCycle.of("postfix", List.of("bücher.example"));
        assertThat(text(cycle.request(0, 0))).isEqualTo("23:postfix bücher.example,");
    }

    @Test
    void readKeysSkipsBlankAndCommentLinesAndTrims() throws IOException {
        Path file = Files.writeString(dir.resolve("keys"), "# domains\n a.example \n\nb.example\n");
        assertThat(KeyCycle.readKeys(file)).containsExactly("a.example", "b.example");
    }

    @Test
    void readKeysRejectsALineWithTwoWordsNamingTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("keys"), "a.example\nb.example c.example\n");
        assertThatThrownBy(() -> KeyCycle.readKeys(file)).hasMessageContaining("line 2");
    }

    @Test
    void readKeysRejectsAFileWithoutKeys() throws IOException {
        Path file = Files.writeString(dir.resolve("keys"), "# nothing\n\n");
        assertThatThrownBy(() -> KeyCycle.readKeys(file)).hasMessageContaining("no keys");
    }

    @Test
    void oversizeKeyIsRejected() {
        assertThatThrownBy(() -> KeyCycle.of("postfix", List.of("a".repeat(KeyCycle.MAX_REQUEST))))
                .hasMessageContaining("key 1");
    }
}
