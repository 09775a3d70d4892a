package io.github.mtasts.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.ConfigDocument;
import io.github.mtasts.resolver.config.ConfigLoader;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.config.HttpConfig;
import io.github.mtasts.tlsrpt.config.DashboardConfig;
import io.github.mtasts.tlsrpt.config.MilterConfig;
import io.github.mtasts.tlsrpt.config.ReportSettings;
import io.github.mtasts.tlsrpt.config.CollectorSocket;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.config.TlsrptConfigLoader;
import io.github.mtasts.tlsrpt.delivery.MailSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The files under contrib/ say what the code does. */
class ContribFilesTest {

    private static final Path CONTRIB = Path.of("..", "contrib");
    private static final String COMMENTED_KEY = "(?m)^(\\s*)#(\\s*)(?=#?\\s*[a-z_]+:)";

    @Test
    void exampleConfigIsValidAndStatesExactlyTheDefaults() throws Exception {
        Configuration config = ConfigFiles.load(Optional.of(CONTRIB.resolve("mtasts.yml")));

        assertThat(config.daemon()).isEqualTo(DaemonConfig.defaults());
        assertThat(config.dashboard()).isEqualTo(DashboardConfig.DEFAULT);
        assertThat(config.milter()).isEqualTo(MilterConfig.DEFAULT);
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
    void exampleDashboardCredentialsAreValidWhenUncommented() throws Exception {
        String text = Files.readString(CONTRIB.resolve("mtasts.yml"));
        String uncommented = text.replaceAll("(?m)^(\\s*)#((?:token|username|password): )", "$1$2");

        Configuration config = Configuration.parse(ConfigDocument.parse("uncommented", uncommented));

        assertThat(config.dashboard().token()).contains("change-me");
        assertThat(config.dashboard().basicAuth()).contains(new DashboardConfig.BasicAuth("admin", "change-me"));
        assertThat(config.daemon().http()).isEqualTo(new HttpConfig("127.0.0.1", 9461));
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

        assertThat(unit).contains("Type=notify", "NotifyAccess=main", "SuccessExitStatus=143", "Restart=always", "RestartSec=1s", "StateDirectory=mtasts",
                "ProtectSystem=strict", "NoNewPrivileges=yes",
                "ExecStart=/usr/bin/mtasts daemon -c " + ConfigLocation.DEFAULTS.get(0));
        // the state directory systemd creates is where the default cache lives
        assertThat(CacheConfig.DEFAULT_SQLITE_FILE.getParent()).isEqualTo(Path.of("/var/lib/mtasts"));
    }

    @Test
    void exampleTlsrptSectionStatesTheCollectorDefaults() throws Exception {
        TlsrptConfig config = TlsrptConfigLoader.parse(ConfigDocument.read(CONTRIB.resolve("mtasts.yml")));

        assertThat(config).isEqualTo(TlsrptConfig.defaults());
    }

    @Test
    void exampleTlsrptMetricsKeyStatesTheDefaultListener() throws Exception {
        String text = Files.readString(CONTRIB.resolve("mtasts.yml"));
        JsonNode metrics = new YAMLMapper().readTree(text).path("tlsrpt").path("metrics");

        assertThat(metrics.isObject()).as("tlsrpt.metrics is in the example").isTrue();
        assertThat(TlsrptConfigLoader.parse(ConfigDocument.parse("tlsrpt.metrics only",
                "tlsrpt:\n  metrics: " + metrics + "\n")).metrics()).isEqualTo(TlsrptConfig.DEFAULT_METRICS);
        assertThat(TlsrptConfig.DEFAULT_METRICS.port()).as("apart from the daemon's and the milter's listeners")
                .isNotIn(DaemonConfig.defaults().http().port(), MilterConfig.DEFAULT.metrics().port());
    }

    @Test
    void exampleReportBlockIsValidAndStatesTheDefaultsWhenUncommented() throws Exception {
        String text = Files.readString(CONTRIB.resolve("mtasts.yml"));
        String section = text.substring(text.indexOf("\ntlsrpt:\n") + 1, text.indexOf("\nmilter:\n") + 1)
                .replace("  sources: []\n", "");
        // twice: the optional keys of the report block are commented out a second time
        String uncommented = section.replaceAll(COMMENTED_KEY, "$1$2").replaceAll(COMMENTED_KEY, "$1$2");

        TlsrptConfig collector = TlsrptConfigLoader.parse(ConfigDocument.parse("uncommented", uncommented));
        ReportSettings settings = collector.report().orElseThrow();

        assertThat(settings.reporter().organizationName()).isEqualTo("Example Org");
        assertThat(settings.mail().relayHost()).isEqualTo(MailSettings.DEFAULT_RELAY_HOST);
        assertThat(settings.mail().relayPort()).isEqualTo(MailSettings.DEFAULT_RELAY_PORT);
        assertThat(settings.mail().username()).isEqualTo("tlsrpt");
        assertThat(settings.mail().dkim()).isNotNull();
        assertThat(settings.httpsTimeout()).isEqualTo(ReportSettings.DEFAULT_HTTPS_TIMEOUT);
        assertThat(settings.deliveryWindow()).isEqualTo(ReportSettings.DEFAULT_DELIVERY_WINDOW);
        assertThat(settings.retry().maxAttempts()).isEqualTo(ReportSettings.DEFAULT_MAX_ATTEMPTS);
        assertThat(settings.retry().maxAge()).isEqualTo(ReportSettings.DEFAULT_MAX_AGE);
        assertThat(settings.retentionDays()).isEqualTo(ReportSettings.DEFAULT_RETENTION_DAYS);
        assertThat(settings.lateLinesDelay()).isEqualTo(ReportSettings.DEFAULT_LATE_LINES_DELAY);
        assertThat(settings.onlyFailures()).isFalse();
        assertThat(collector.sources()).containsExactly(Path.of("/var/log/mail.log"));
        assertThat(collector.logTimezone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(collector.hostName()).isEqualTo("mx1.example.net");
        assertThat(collector.socket()).contains(new CollectorSocket(Path.of("/var/spool/postfix/mtasts/tlsrpt"),
                OptionalInt.of(0620), Optional.of("mtasts"), Optional.of("postfix")));
        assertThat(collector.store()).contains(new CacheConfig.Postgres("postgres://tlsrpt@db.example.net/mtasts",
                CacheConfig.DEFAULT_STORE_TIMEOUT, OptionalInt.of(1), OptionalInt.of(2)));
    }

    @Test
    void exampleConfigKeepsTheTlsrptDataWhereThePolicyCacheIsUnlessTheStoreIsGiven() throws Exception {
        ConfigDocument document = ConfigDocument.read(CONTRIB.resolve("mtasts.yml"));
        DaemonConfig daemon = ConfigLoader.parse(document);
        TlsrptConfig tlsrpt = TlsrptConfigLoader.parse(document);

        assertThat(TlsrptSetup.store(Optional.empty(), daemon.cache(), tlsrpt)).isEqualTo(daemon.cache());
    }

    @Test
    void tlsrptUnitRunsTheReporterAsTheDaemonsUserOnTheSameStore() throws Exception {
        List<String> daemon = Files.readAllLines(CONTRIB.resolve("mtasts-daemon.service"));
        List<String> tlsrpt = Files.readAllLines(CONTRIB.resolve("mtasts-tlsrpt.service"));

        assertThat(tlsrpt).contains("ExecStart=/usr/bin/mtasts tlsrpt run -c " + ConfigLocation.DEFAULTS.get(0),
                "Restart=always", "SupplementaryGroups=adm", "ProtectSystem=strict");
        // one user in both units (the package's system user mtasts), so both may open the one SQLite store
        assertThat(tlsrpt).containsAll(daemon.stream()
                .filter(line -> line.startsWith("User=") || line.startsWith("StateDirectory=")).toList());
        assertThat(daemon).anyMatch(line -> line.startsWith("User="));
    }

    @Test
    void socketUnitListensWhereTheDaemonWouldAndHandsOneSocketToOneService() throws Exception {
        List<String> socket = Files.readAllLines(CONTRIB.resolve("mtasts-daemon.socket"));
        DaemonConfig defaults = DaemonConfig.defaults();

        assertThat(socket).contains("ListenStream=" + defaults.host() + ":" + defaults.port(), "Accept=no",
                "WantedBy=sockets.target");
        // the Postfix private/ socket, commented, as the README's Postfix line names it
        assertThat(socket).contains("#ListenStream=/var/spool/postfix/private/mtasts", "#SocketGroup=postfix",
                "#SocketMode=0660");
    }

    @Test
    void daemonUnitIsHardenedButLeavesTheJitAndIoUringAlone() throws Exception {
        List<String> unit = Files.readAllLines(CONTRIB.resolve("mtasts-daemon.service"));

        assertThat(unit).contains("PrivateTmp=yes", "CapabilityBoundingSet=", "SystemCallFilter=@system-service",
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK", "User=mtasts");
        assertThat(unit).noneMatch(line -> line.startsWith("MemoryDenyWriteExecute="));
        // io_uring's calls are in @aio; taking it away would silently push transport auto to epoll
        assertThat(unit).noneMatch(line -> line.startsWith("SystemCallFilter=~") && line.contains("@aio"));
    }

    @Test
    void exampleOverridesAndPreloadAreValidWhenUncommented() throws Exception {
        String text = Files.readString(CONTRIB.resolve("mtasts.yml"));
        StringBuilder overrides = new StringBuilder();
        boolean inBlock = false;
        for (String line : text.split("\n")) {
            inBlock = line.equals("#overrides:") || (inBlock && line.startsWith("#  "));
            if (inBlock) {
                overrides.append(line.substring(1)).append('\n');
            }
        }
        Matcher preload = Pattern.compile("(?m)^#(preload: \\[.*])$").matcher(text);
        assertThat(preload.find()).isTrue();

        DaemonConfig config = ConfigLoader.parse("commented block", overrides + preload.group(1) + "\n");

        assertThat(config.overrides().entries()).hasSize(3);
        assertThat(config.overrides().find("mx.dane.example.net")).isPresent();
        assertThat(config.preload()).contains("gmail.com");
        assertThat(text).contains("#overrides_file: ", "#preload_file: ");
    }
}
