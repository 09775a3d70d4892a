package io.github.mtasts.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tlsrpt ingest} and {@code tlsrpt status} in-process on the real Postfix log fixtures. */
class TlsrptCommandTest {
    private static final Clock CAPTURE = Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC);
    private static final List<String> FIXTURES = List.of("a-selfsigned-secure.log", "b-no-starttls-secure.log",
            "c-hostname-mismatch-secure.log", "d-verified-secure.log", "e-expired-secure.log", "f-policy-TEMP.log",
            "g-policy-NOTFOUND-fallback-may.log", "h-encrypt-no-starttls.log", "i-may-selfsigned.log",
            "j-encrypt-selfsigned.log", "jmilter-real-postfix.log", "k-policy-PERM.log", "l-secure-no-match.log",
            "m-verified-secure-loglevel2.log", "n-socketmap-server-down.log");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path POSTFIX_LOGS = Path.of("..", "tlsrpt", "src", "test", "resources", "postfix");

    @TempDir
    Path dir;

    private Path database() {
        return dir.resolve("cache.db");
    }

    private Path config(String tlsrptSection) throws IOException {
        return Files.writeString(dir.resolve("mtasts.yml"), """
                cache:
                  type: sqlite
                  options:
                    filename: %s
                """.formatted(database()) + tlsrptSection);
    }

    private Path config() throws IOException {
        return config("""
                tlsrpt:
                  sending_mta_ips: [192.0.2.1]
                  log_timezone: UTC
                """);
    }

    /** Copies of the tlsrpt module's real Postfix logs (tests run in the module directory, like ContribFilesTest). */
    private List<String> fixtureFiles() throws IOException {
        List<String> paths = new ArrayList<>();
        for (String name : FIXTURES) {
            paths.add(Files.copy(POSTFIX_LOGS.resolve(name), dir.resolve(name)).toString());
        }
        return paths;
    }

    private CommandRun ingest(String... args) {
        return ingest(new ByteArrayInputStream(new byte[0]), args);
    }

    private CommandRun ingest(InputStream stdin, String... args) {
        return CommandRun.of(new TlsrptIngestCommand(List.of(), stdin, CAPTURE), args);
    }

    private CommandRun status(String... args) {
        return CommandRun.of(new TlsrptStatusCommand(List.of(), CAPTURE), args);
    }

    private Map<String, JsonNode> policiesByDomain(JsonNode status) {
        Map<String, JsonNode> byDomain = new HashMap<>();
        status.get("policies").forEach(p -> byDomain.put(p.get("policy_domain").asText(), p));
        return byDomain;
    }

    @Test
    void ingestThenStatusCountsEveryFixtureScenario() throws IOException {
        Path config = config();
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database())) {
            policies.policyServed("d.example.test", StsPolicy.of(PolicyMode.ENFORCE, 86400,
                    List.of(MxPattern.parse("mx.example.test"))), Instant.parse("2026-11-29T01:00:00Z"),
                    Instant.parse("2026-11-29T01:00:00Z"));
            policies.discoveryFailure("f.example.test", Instant.parse("2026-11-29T01:00:00Z"),
                    FailureType.POLICY_FETCH_ERROR,
                    "connection refused");
            policies.discoveryFailure("f.example.test", Instant.parse("2026-11-29T01:00:00Z"), FailureType.DNS_FAILURE,
                    "SERVFAIL");
        }
        List<String> args = new ArrayList<>(List.of("-c", config.toString()));
        args.addAll(fixtureFiles());
        CommandRun ingested = ingest(args.toArray(String[]::new));
        assertThat(ingested.exitCode()).as(ingested.err()).isZero();

        CommandRun run = status("-c", config.toString(), "--day", "2026-11-29", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode status = JSON.readTree(run.out());
        assertThat(status.get("day").asText()).isEqualTo("2026-11-29");
        Map<String, JsonNode> domains = policiesByDomain(status);
        assertThat(domains).hasSize(11);
        assertCounts(domains.get("d.example.test"), "sts", 1, 0, Map.of());
        assertCounts(domains.get("g.example.test"), "no-policy-found", 1, 0, Map.of());
        assertCounts(domains.get("m.example.test"), "no-policy-found", 1, 0, Map.of());
        assertCounts(domains.get("a.example.test"), "no-policy-found", 0, 1, Map.of("certificate-not-trusted", 1));
        assertCounts(domains.get("b.example.test"), "no-policy-found", 0, 1, Map.of("starttls-not-supported", 1));
        assertCounts(domains.get("c.example.test"), "no-policy-found", 0, 1, Map.of("certificate-host-mismatch", 1));
        assertCounts(domains.get("e.example.test"), "no-policy-found", 0, 1, Map.of("certificate-expired", 1));
        assertCounts(domains.get("h.example.test"), "no-policy-found", 0, 1, Map.of("starttls-not-supported", 1));
        // opportunistic TLS (may, encrypt) with no policy: the untrusted certificate is no failure
        assertCounts(domains.get("i.example.test"), "no-policy-found", 1, 0, Map.of());
        assertCounts(domains.get("j.example.test"), "no-policy-found", 1, 0, Map.of());
        assertCounts(domains.get("l.example.test"), "no-policy-found", 0, 1, Map.of("certificate-host-mismatch", 1));
        JsonNode detail = domains.get("e.example.test").get("failure_details").get(0);
        assertThat(detail.get("sending_mta_ip").asText()).isEqualTo("192.0.2.1");
        assertThat(detail.get("receiving_mx_hostname").asText()).isEqualTo("127.0.0.1");
        assertThat(detail.get("failure_reason_code").asText()).isEqualTo("certificate has expired");
        assertThat(detail.get("failed_sessions").asLong()).isEqualTo(1);

        JsonNode discovery = status.get("discovery_failures");
        assertThat(discovery).hasSize(1);
        assertThat(discovery.get(0).get("policy_domain").asText()).isEqualTo("f.example.test");
        assertThat(discovery.get(0).get("result_type").asText()).isEqualTo("sts-policy-fetch-error");
        assertThat(discovery.get(0).get("discoveries").asLong()).isEqualTo(1);

        JsonNode lines = status.get("lines");
        long total = 0;
        for (String file : args.subList(2, args.size())) {
            total += Files.readString(Path.of(file)).lines().count();
        }
        assertThat(lines.get("parsed").asLong() + lines.get("unparsed").asLong()).isEqualTo(total);
        assertThat(lines.get("unparsed_by_reason").get("bad_timestamp").asLong()).isGreaterThan(FIXTURES.size());
        assertThat(lines.get("unparsed_samples").get(0).asText()).startsWith("# scenario: a-selfsigned-secure");
        assertThat(lines.get("uncounted_sessions").asLong()).isEqualTo(1);
    }

    private static void assertCounts(JsonNode policy, String type, long successes, long failures,
                                     Map<String, Integer> byType) {
        String domain = policy.get("policy_domain").asText();
        assertThat(policy.get("policy_type").asText()).as(domain).isEqualTo(type);
        assertThat(policy.get("successful_sessions").asLong()).as(domain).isEqualTo(successes);
        assertThat(policy.get("failed_sessions").asLong()).as(domain).isEqualTo(failures);
        Map<String, Integer> actual = new HashMap<>();
        policy.get("failures_by_type").fields().forEachRemaining(e -> actual.put(e.getKey(), e.getValue().asInt()));
        assertThat(actual).as(domain).isEqualTo(byType);
    }

    @Test
    void ingestingTheSameFilesTwiceCountsThemOnce() throws IOException {
        Path config = config();
        List<String> args = new ArrayList<>(List.of("-c", config.toString()));
        args.addAll(fixtureFiles());
        assertThat(ingest(args.toArray(String[]::new)).exitCode()).isZero();
        String once = status("-c", config.toString(), "--day", "2026-11-29", "--json").out();
        assertThat(ingest(args.toArray(String[]::new)).exitCode()).isZero();
        assertThat(status("-c", config.toString(), "--day", "2026-11-29", "--json").out()).isEqualTo(once);
    }

    @Test
    void standardInputIsReadForDash() throws IOException {
        Path config = config();
        byte[] log = Files.readAllBytes(Path.of(fixtureFiles().get(3)));
        CommandRun run = ingest(new ByteArrayInputStream(log), "-c", config.toString(), "--stdin-not-resumable", "-");
        assertThat(run.exitCode()).as(run.err()).isZero();
        CommandRun text = status("-c", config.toString(), "--day", "2026-11-29");
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("TLS sessions on 2026-11-29 (UTC)")
                .contains("d.example.test [no-policy-found]: 1 successful, 0 failed")
                .contains("Lines: 14 parsed, 6 unparsed, 0 uncounted sessions")
                .contains("  sample bad_timestamp: # scenario: d-verified-secure");
    }

    @Test
    void plainStandardInputIsRefusedUnlessDeclaredNotResumable() throws IOException {
        Path config = config();
        List<String> files = fixtureFiles();
        byte[] log = Files.readAllBytes(Path.of(files.get(3)));
        CommandRun refused = ingest(new ByteArrayInputStream(log), "-c", config.toString(), "-");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("standard input (-) is not resumable")
                .contains("--journal-json").contains("--stdin-not-resumable");
        assertThat(status("-c", config.toString(), "--day", "2026-11-29").out())
                .doesNotContain("d.example.test");

        assertThat(ingest("-c", config.toString(), "--journal-json", files.get(0)).exitCode())
                .as("--journal-json without -").isEqualTo(2);
        assertThat(ingest("-c", config.toString(), "--journal-json", "--stdin-not-resumable", "-").exitCode())
                .isEqualTo(2);
    }

    @Test
    void sessionAfterAPolicyFetchErrorIsShownAsThatFailureUnderAnUnavailableStsPolicy() throws IOException {
        Path config = config();
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database())) {
            // d-verified-secure delivers at 01:37:58
            policies.discoveryFailure("d.example.test", Instant.parse("2026-11-29T01:37:50Z"),
                    FailureType.POLICY_FETCH_ERROR, "HTTP 404");
        }
        assertThat(ingest("-c", config.toString(), fixtureFiles().get(3)).exitCode()).isZero();

        assertThat(status("-c", config.toString(), "--day", "2026-11-29").out())
                .contains("d.example.test [sts, policy unavailable]: 0 successful, 1 failed")
                .contains("    sts-policy-fetch-error: 1")
                .contains("  d.example.test: sts-policy-fetch-error: 1 (last: HTTP 404)");
        JsonNode policy = JSON.readTree(status("-c", config.toString(), "--day", "2026-11-29", "--json").out())
                .get("policies").get(0);
        assertThat(policy.get("policy_type").asText()).isEqualTo("sts");
        assertThat(policy.get("policy_unavailable").asBoolean()).isTrue();
        assertThat(policy.get("failures_by_type").get("sts-policy-fetch-error").asLong()).isEqualTo(1);
    }

    @Test
    void overriddenDomainIsCountedUnderNoPolicyFoundWhateverWasServedBeforeTheOverride() throws IOException {
        Path config = config("""
                overrides: {d.example.test: encrypt}
                tlsrpt:
                  sending_mta_ips: [192.0.2.1]
                  log_timezone: UTC
                """);
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(database())) {
            // served until 01:00, before the override: its max_age would keep it in force at 01:37:58
            policies.policyServed("d.example.test", StsPolicy.of(PolicyMode.ENFORCE, 86400,
                    List.of(MxPattern.parse("mx.example.test"))), Instant.parse("2026-11-29T00:00:00Z"),
                    Instant.parse("2026-11-29T01:00:00Z"));
        }
        assertThat(ingest("-c", config.toString(), fixtureFiles().get(3)).exitCode()).isZero();

        JsonNode policy = JSON.readTree(status("-c", config.toString(), "--day", "2026-11-29", "--json").out())
                .get("policies").get(0);
        assertCounts(policy, "no-policy-found", 1, 0, Map.of());
    }

    @Test
    void sourcesFromTheConfigAreReadWhenNoFileIsGiven() throws IOException {
        List<String> files = fixtureFiles();
        Path config = config("""
                tlsrpt:
                  log_timezone: UTC
                  sources: [%s]
                """.formatted(files.get(4)));
        assertThat(ingest("-c", config.toString()).exitCode()).isZero();
        assertThat(status("-c", config.toString(), "--day", "2026-11-29").out())
                .contains("e.example.test [no-policy-found]: 0 successful, 1 failed")
                .contains("    certificate-expired: 1");
    }

    @Test
    void ownReportRecipientsAreNotCounted() throws IOException {
        List<String> files = fixtureFiles();
        Path config = config("""
                tlsrpt:
                  log_timezone: UTC
                  report_recipients_exclude: ["@d.example.test"]
                """);
        assertThat(ingest("-c", config.toString(), files.get(3), files.get(4)).exitCode()).isZero();
        String out = status("-c", config.toString(), "--day", "2026-11-29").out();
        assertThat(out).contains("e.example.test [").doesNotContain("d.example.test [");
    }

    @Test
    void missingLogFileIsAUsageError() throws IOException {
        CommandRun run = ingest("-c", config().toString(), dir.resolve("nope.log").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("nope.log: no such file");
    }

    @Test
    void noFilesAndNoConfiguredSourcesIsAUsageError() throws IOException {
        CommandRun run = ingest("-c", config().toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no log files given and tlsrpt.sources is empty");
    }

    @Test
    void unknownTlsrptKeyIsAConfigErrorNamingItsPath() throws IOException {
        Path config = config("""
                tlsrpt:
                  sending_mta_ip: [192.0.2.1]
                """);
        CommandRun run = ingest("-c", config.toString(), fixtureFiles().get(0));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(config.toString()).contains("tlsrpt.sending_mta_ip: unknown key");
    }

    @Test
    void redisCacheWithoutATlsrptStoreIsAConfigErrorNamingTheKey() throws IOException {
        Path config = Files.writeString(dir.resolve("redis.yml"),
                "cache:\n  type: redis\n  options: {url: \"redis://127.0.0.1:1\"}\n");
        CommandRun run = status("-c", config.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("cache.type: redis keeps no TLSRPT data").contains("set tlsrpt.store:");
    }

    @Test
    void internalCacheCountsIntoTheGivenTlsrptStoreWithoutPolicies() throws IOException {
        Path store = dir.resolve("tlsrpt.db");
        Path config = Files.writeString(dir.resolve("internal.yml"), """
                cache:
                  type: internal
                tlsrpt:
                  sending_mta_ips: [192.0.2.1]
                  log_timezone: UTC
                  store: {type: sqlite, options: {filename: %s}}
                """.formatted(store));
        String log = Files.copy(POSTFIX_LOGS.resolve("d-verified-secure.log"), dir.resolve("d.log")).toString();

        assertThat(ingest("-c", config.toString(), log).exitCode()).isZero();

        assertThat(store).exists();
        assertThat(database()).doesNotExist();
        CommandRun status = status("-c", config.toString(), "--day", "2026-11-29");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("d.example.test [no-policy-found]: 1 successful, 0 failed");
    }

    @Test
    void missingDirectoryOfTheTlsrptStoreNamesItsKey() throws IOException {
        Path config = config("""
                tlsrpt:
                  store: {type: sqlite, options: {filename: %s}}
                """.formatted(dir.resolve("missing").resolve("tlsrpt.db")));
        CommandRun run = ingest("-c", config.toString(), "--stdin-not-resumable", "-");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("tlsrpt.store.options.filename: directory").contains("missing");
    }

    @Test
    void malformedDayIsAUsageError() throws IOException {
        CommandRun run = status("-c", config().toString(), "--day", "29.11.2026");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--day: expected a date as YYYY-MM-DD, got \"29.11.2026\"");
    }

    @Test
    void statusBeforeAnyIngestSaysSo() throws IOException {
        CommandRun run = status("-c", config().toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no database yet; run mtasts tlsrpt ingest first");
    }

    @Test
    void mainRegistersTheTlsrptCommands() {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("tlsrpt", "--help")).isZero();
        assertThat(out.toString()).contains("ingest").contains("status");
    }
}
