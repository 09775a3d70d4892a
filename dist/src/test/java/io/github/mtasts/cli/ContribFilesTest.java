package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The files under contrib/ say what the code does. */
class ContribFilesTest {

    private static final Path CONTRIB = Path.of("..", "contrib");

    @Test
    void exampleConfigIsValidAndStatesExactlyTheDefaults() throws Exception {
        DaemonConfig config = ConfigLoader.load(CONTRIB.resolve("mtasts.yml"));

        assertThat(config).isEqualTo(DaemonConfig.defaults());
    }

    @Test
    void exampleConfigOptionalKeysAreValidWhenUncommented() throws Exception {
        String text = Files.readString(CONTRIB.resolve("mtasts.yml"));
        String uncommented = text.replaceAll("(?m)^(\\s*)#((?:path|mode|threads|ca_file|timeout): )", "$1$2");

        DaemonConfig config = ConfigLoader.parse("uncommented", uncommented);

        assertThat(config.path()).isPresent();
        assertThat(config.mode()).isPresent();
        assertThat(config.caFile()).isPresent();
        assertThat(config.dns().timeout()).isPresent();
        assertThat(((CacheConfig.Sqlite) config.cache()).threads()).isEqualTo(4);
    }

    @Test
    void exampleConfigAlternativeBlocksAreValid() throws Exception {
        List<String> blocks = commentedBlocks(Files.readString(CONTRIB.resolve("mtasts.yml")));
        List<String> types = new ArrayList<>();

        for (String block : blocks) {
            DaemonConfig config = ConfigLoader.parse("commented block", block);
            if (block.startsWith("cache:")) {
                types.add(config.cache().type());
            } else {
                assertThat(config.zones()).as(block).isNotEmpty();
            }
        }

        assertThat(types).containsExactly("internal", "redis", "redis_sentinel", "postgres");
        assertThat(blocks).anyMatch(block -> block.startsWith("zones:"));
    }

    /** Each "#cache:" or "#zones:" block, without its comment marks. */
    private static List<String> commentedBlocks(String text) {
        List<String> blocks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("#cache:") || line.startsWith("#zones:")) {
                if (current != null) {
                    blocks.add(current.toString());
                }
                current = new StringBuilder(line.substring(1)).append('\n');
            } else if (current != null && line.startsWith("#  ")) {
                current.append(line.substring(1)).append('\n');
            } else if (current != null) {
                blocks.add(current.toString());
                current = null;
            }
        }
        if (current != null) {
            blocks.add(current.toString());
        }
        return blocks;
    }

    @Test
    void postfixLinesPointAtTheDefaultListener() throws Exception {
        String mainCf = Files.readString(CONTRIB.resolve("postfix-main.cf"));
        Matcher m = Pattern.compile("(?m)^smtp_tls_policy_maps = socketmap:inet:([^:]+):(\\d+):(\\S+)$")
                .matcher(mainCf);

        assertThat(m.find()).isTrue();
        DaemonConfig defaults = DaemonConfig.defaults();
        assertThat(m.group(1)).isEqualTo(defaults.host());
        assertThat(Integer.parseInt(m.group(2))).isEqualTo(defaults.port());
    }

    @Test
    void systemdUnitStartsTheDaemonWithTheDefaultConfigAndAlwaysRestarts() throws Exception {
        List<String> unit = Files.readAllLines(CONTRIB.resolve("mtasts-daemon.service"));

        assertThat(unit).contains("Type=notify", "Restart=always", "RestartSec=1s", "StateDirectory=mtasts",
                "ProtectSystem=strict", "NoNewPrivileges=yes",
                "ExecStart=/usr/local/bin/mtasts daemon -c " + ConfigLocation.DEFAULTS.get(0));
        // the state directory systemd creates is where the default cache lives
        assertThat(CacheConfig.DEFAULT_SQLITE_FILE.getParent()).isEqualTo(Path.of("/var/lib/mtasts"));
    }
}
