package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.resolver.socketmap.Netstring;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.testing.ConnectProxy;
import io.github.mtasts.testing.DnsmasqServer;
import io.github.mtasts.testing.PolicyHttpsServer;
import io.github.mtasts.testing.PolicyHttpsServer.Response;
import io.github.mtasts.testing.TestCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mtasts cache} against a SQLite store, dnsmasq and real HTTPS policy hosts, with and without a running daemon
 * (a process of its own, as in production, reaching the policy hosts through a CONNECT proxy). The commands run
 * in-process through the same command tree as {@code Main}.
 */
@Timeout(180)
class CacheCommandTest {

    static final String A1 = "version: STSv1\nmode: enforce\nmx: mx1.cache-a.test\nmax_age: 86400\n";
    static final String A2 = "version: STSv1\nmode: enforce\nmx: mx2.cache-a.test\nmx: *.cache-a.test\nmax_age: 604800\n";
    static final String B = "version: STSv1\nmode: testing\nmx: mx.cache-b.test\nmax_age: 86400\n";
    static final String F = "version: STSv1\nmode: enforce\nmx: mx.cache-fail.test\nmax_age: 86400\n";

    static TestCa ca;
    static Path caFile;
    static DnsmasqServer dns;
    static PolicyHttpsServer https;
    static ConnectProxy proxy;
    static final AtomicReference<Response> servedA = new AtomicReference<>();
    static final AtomicReference<Response> servedF = new AtomicReference<>();

    @TempDir
    Path dir;
    Path store;
    Path config;
    int socketmapPort;
    Process daemon;
    boolean dnsChanged;

    @BeforeAll
    static void world(@TempDir Path shared) {
        ca = TestCa.create("cache test CA");
        caFile = shared.resolve("ca.pem");
        ca.writePem(caFile);
        dns = records("a1").start();
        https = PolicyHttpsServer.builder()
                .host("mta-sts.cache-a.test", ca.issue("mta-sts.cache-a.test").serverContext(),
                        Response.changing(servedA))
                .host("mta-sts.cache-b.test", ca.issue("mta-sts.cache-b.test").serverContext(), Response.policy(B))
                .host("mta-sts.cache-fail.test", ca.issue("mta-sts.cache-fail.test").serverContext(),
                        Response.changing(servedF))
                .start();
        proxy = ConnectProxy.forwardingTo(https.port());
    }

    static DnsmasqServer.Builder records(String idOfA) {
        return DnsmasqServer.builder()
                .txt("_mta-sts.cache-a.test", "v=STSv1; id=" + idOfA)
                .txt("_mta-sts.cache-b.test", "v=STSv1; id=b1")
                .txt("_mta-sts.cache-fail.test", "v=STSv1; id=f1");
    }

    @AfterAll
    static void stopWorld() {
        if (proxy != null) {
            proxy.close();
        }
        if (https != null) {
            https.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @BeforeEach
    void freshStoreAndPolicies() throws Exception {
        servedA.set(Response.policy(A1));
        servedF.set(Response.policy(F));
        store = dir.resolve("cache.db");
        socketmapPort = freePort();
        config = Files.writeString(dir.resolve("mtasts.yml"), """
                host: 127.0.0.1
                port: %d
                ca_file: %s
                dns: {nameservers: ["%s"], timeout: 10}
                cache: {type: sqlite, options: {filename: %s}}
                default_zone: {timeout: 60}     # a bound, not a deadline: a first TLS set-up on a loaded machine is slow
                zones:
                  strict: {strict_testing: true}
                shutdown_timeout: 5
                """.formatted(socketmapPort, caFile, dns.hostPort(), store));
    }

    @AfterEach
    void stopDaemonAndRestoreDns() throws Exception {
        if (daemon != null) {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (dnsChanged) {
            dns.reconfigure(records("a1"));
        }
    }

    // ---- with a running daemon ------------------------------------------------------------------------------

    @Test
    void purgeMakesTheRunningDaemonDiscoverTheDomainAgain() throws Exception {
        startDaemon();
        assertThat(ask("postfix cache-a.test")).isEqualTo("OK secure match=mx1.cache-a.test servername=hostname");
        int fetches = https.requests("mta-sts.cache-a.test");
        awaitStored("cache-a.test");

        CommandRun purge = cache("purge", "cache-a.test");

        assertThat(purge.exitCode()).as(purge.err()).isZero();
        assertThat(purge.out()).contains("removed the policy of cache-a.test (id a1, mode enforce, mx mx1.cache-a.test,")
                .contains("running daemon: forgot cache-a.test");
        assertThat(ask("postfix cache-a.test")).isEqualTo("OK secure match=mx1.cache-a.test servername=hostname");
        assertThat(https.requests("mta-sts.cache-a.test")).as("the daemon fetched the policy again")
                .isEqualTo(fetches + 1);
        assertThat(ask("postfix cache-a.test")).isEqualTo("OK secure match=mx1.cache-a.test servername=hostname");
        assertThat(https.requests("mta-sts.cache-a.test")).as("and then answered from memory").isEqualTo(fetches + 1);
    }

    @Test
    void refreshMakesTheRunningDaemonAnswerTheChangedPolicyAtOnce() throws Exception {
        startDaemon();
        assertThat(ask("postfix cache-a.test")).isEqualTo("OK secure match=mx1.cache-a.test servername=hostname");
        awaitStored("cache-a.test");
        servedA.set(Response.policy(A2));
        dnsChanged = true;
        dns.reconfigure(records("a2"));
        int fetches = https.requests("mta-sts.cache-a.test");

        CommandRun refresh = cache("refresh", "cache-a.test");

        assertThat(refresh.exitCode()).as(refresh.err()).isZero();
        assertThat(refresh.out().lines()).containsSubsequence(
                "refreshed cache-a.test:",
                "  id:      a1 -> a2",
                "  mode:    enforce (unchanged)",
                "  mx:      mx1.cache-a.test -> mx2.cache-a.test,*.cache-a.test",
                "  max_age: 86400 -> 604800");
        assertThat(refresh.out()).contains("running daemon: held cache-a.test id a2 expires ");
        assertThat(ask("postfix cache-a.test"))
                .isEqualTo("OK secure match=mx2.cache-a.test:.cache-a.test servername=hostname");
        assertThat(https.requests("mta-sts.cache-a.test")).as("only the command fetched").isEqualTo(fetches + 1);
    }

    @Test
    void purgeAllMakesTheRunningDaemonReadTheStoreAgain() throws Exception {
        startDaemon();
        ask("postfix cache-a.test");
        ask("postfix cache-fail.test");
        awaitStored("cache-a.test");
        awaitStored("cache-fail.test");
        int fetches = https.requests("mta-sts.cache-fail.test");

        CommandRun purge = cache("purge", "--all");

        assertThat(purge.exitCode()).as(purge.err()).isZero();
        assertThat(purge.out()).contains("removed 2 policies from the sqlite store", "running daemon: forgot all");
        assertThat(cache("list").out()).contains("0 policies in the sqlite store");
        assertThat(ask("postfix cache-fail.test")).isEqualTo("OK secure match=mx.cache-fail.test servername=hostname");
        assertThat(https.requests("mta-sts.cache-fail.test")).isEqualTo(fetches + 1);
    }

    // ---- without a daemon ------------------------------------------------------------------------------------

    @Test
    void withoutADaemonTheStoreIsChangedAndTheMessageSaysWhenADaemonSeesIt() throws Exception {
        CommandRun refresh = cache("refresh", "cache-a.test");

        assertThat(refresh.exitCode()).as(refresh.err()).isZero();
        assertThat(refresh.out().lines()).contains("stored cache-a.test:", "  id:      (none) -> a1");
        assertThat(refresh.err()).contains("no daemon answers at 127.0.0.1:" + socketmapPort,
                "The new policy of cache-a.test is in the store; a daemon reads it at its next miss of the domain"
                        + " or at its next start");
        CommandRun purge = cache("purge", "cache-a.test");
        assertThat(purge.exitCode()).isZero();
        assertThat(purge.err()).contains("The policy of cache-a.test was removed from the store");
        assertThat(cache("purge", "cache-a.test").exitCode()).as("nothing left to purge").isEqualTo(1);
    }

    @Test
    void failedRefreshNeverReplacesTheUnexpiredStoredPolicy() {
        assertThat(cache("refresh", "cache-fail.test").exitCode()).isZero();
        servedF.set(Response.status(404, "text/plain", "gone"));

        CommandRun refresh = cache("refresh", "cache-fail.test");

        assertThat(refresh.exitCode()).isEqualTo(CacheSubcommand.DISCOVERY_FAILED);
        assertThat(refresh.err()).contains("discovery failed (POLICY_FETCH_ERROR)", "HTTP status 404");
        assertThat(refresh.out()).contains("discovery failed; kept the stored policy of cache-fail.test (id f1) until");
        CommandRun show = cache("show", "cache-fail.test");
        assertThat(show.out()).contains("policy id: f1", "last error: ", "POLICY_FETCH_ERROR: ", "HTTP status 404",
                "postfix reply (default zone): OK secure match=mx.cache-fail.test servername=hostname");
    }

    @Test
    void refreshOfAnOverriddenDomainStoresItsPolicyButRecordsItNotServed() throws Exception {
        Files.writeString(config, "overrides: {cache-a.test: encrypt}\n", StandardOpenOption.APPEND);

        CommandRun refresh = cache("refresh", "cache-a.test");

        assertThat(refresh.exitCode()).as(refresh.err()).isZero();
        assertThat(refresh.out()).contains("stored cache-a.test:", "not recorded as served: the override for"
                + " cache-a.test (encrypt) answers for cache-a.test; the stored policy applies once it is removed");
        try (SqlitePolicyStore stored = SqlitePolicyStore.open(store)) {
            assertThat(stored.load("cache-a.test")).as("kept current for the day the override goes").isPresent();
            assertThat(stored.servedPolicies("cache-a.test")).isEmpty();
        }
    }

    @Test
    void vanishedTxtRecordNeverRemovesTheUnexpiredStoredPolicy() {
        assertThat(cache("refresh", "cache-a.test").exitCode()).isZero();
        dnsChanged = true;
        dns.reconfigure(DnsmasqServer.builder().txt("_mta-sts.cache-b.test", "v=STSv1; id=b1"));

        CommandRun refresh = cache("refresh", "cache-a.test");

        assertThat(refresh.exitCode()).isEqualTo(CacheSubcommand.NOT_STORED);
        assertThat(refresh.out()).contains("no policy published: ",
                "; kept the stored policy of cache-a.test (id a1) until ");
        assertThat(cache("show", "cache-a.test").out())
                .contains("postfix reply (default zone): OK secure match=mx1.cache-a.test servername=hostname");
    }

    @Test
    void listShowsEveryStoredPolicyWithItsTimesAndLastError() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
        assertThat(cache(clock, "refresh", "cache-a.test").exitCode()).isZero();
        assertThat(cache(clock, "refresh", "cache-b.test").exitCode()).isZero();

        CommandRun list = cache(clock, "list");

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out().lines()).containsExactly(
                "DOMAIN        MODE     MX                ID  FETCHED               EXPIRES               CHECKED"
                        + "               LAST ERROR",
                "cache-a.test  enforce  mx1.cache-a.test  a1  2026-12-01T10:00:00Z  2026-12-02T10:00:00Z"
                        + "  2026-12-01T10:00:00Z  -",
                "cache-b.test  testing  mx.cache-b.test   b1  2026-12-01T10:00:00Z  2026-12-02T10:00:00Z"
                        + "  2026-12-01T10:00:00Z  -",
                "2 policies in the sqlite store");

        JsonNode json = new ObjectMapper().readTree(cache(clock, "list", "--json").out());
        assertThat(json).hasSize(2);
        JsonNode a = json.get(0);
        assertThat(a.get("domain").asText()).isEqualTo("cache-a.test");
        assertThat(a.get("mode").asText()).isEqualTo("enforce");
        assertThat(a.get("mx").get(0).asText()).isEqualTo("mx1.cache-a.test");
        assertThat(a.get("txt_id").asText()).isEqualTo("a1");
        assertThat(a.get("max_age").asLong()).isEqualTo(86400);
        assertThat(a.get("fetched_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(a.get("expires_at").asText()).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(a.get("last_checked_at").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(a.get("usable").asBoolean()).isTrue();
        assertThat(a.get("last_error").isNull()).isTrue();
    }

    @Test
    void showPrintsThePolicyAndThePostfixReplyOfEachZone() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
        cache(clock, "refresh", "cache-b.test");

        CommandRun show = cache(clock, "show", "Cache-B.test.");

        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out().lines()).containsExactly(
                "domain: cache-b.test",
                "policy id: b1",
                "fetched: 2026-12-01T10:00:00Z",
                "expires: 2026-12-02T10:00:00Z",
                "last checked: 2026-12-01T10:00:00Z",
                "last error: none",
                "policy:",
                "  version: STSv1",
                "  mode: testing",
                "  mx: mx.cache-b.test",
                "  max_age: 86400",
                "postfix reply (default zone): NOTFOUND ",
                "postfix reply (zone strict): OK secure match=mx.cache-b.test servername=hostname");
        CommandRun later = cache(Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC),
                "show", "cache-b.test");
        assertThat(later.out()).contains("expires: 2026-12-02T10:00:00Z (expired: no longer applied)",
                "postfix reply (zone strict): NOTFOUND ");
    }

    @Test
    void anOverrideIsWhatShowAndExportAnswerAsTheDaemonDoes() throws Exception {
        cache("refresh", "cache-a.test");
        Files.writeString(config, Files.readString(config)
                + "overrides:\n  cache-a.test: {secure: {match: [mx9.cache-a.test]}}\n");

        assertThat(cache("show", "cache-a.test").out()).contains("postfix reply (default zone): OK secure"
                + " match=mx9.cache-a.test servername=hostname (from the override for cache-a.test; the stored policy"
                + " is not used)");
        assertThat(cache("export").out()).contains("\ncache-a.test secure match=mx9.cache-a.test servername=hostname\n");
    }

    @Test
    void showOfADomainNotStoredExitsOne() {
        cache("refresh", "cache-a.test");

        CommandRun show = cache("show", "other.test");

        assertThat(show.exitCode()).isEqualTo(CacheSubcommand.NOT_STORED);
        assertThat(show.out()).contains("stored policy: none");
    }

    @Test
    void exportIsATablePostfixReadsWithTheDaemonsAnswers() throws Exception {
        cache("refresh", "cache-a.test");
        cache("refresh", "cache-b.test");
        Path table = dir.resolve("mtasts-fallback");

        CommandRun export = cache("export", "-o", table.toString());

        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out()).contains("wrote 1 policy to " + table);
        assertThat(postmap("cache-a.test", "texthash:" + table))
                .isEqualTo(new Postmap(0, "secure match=mx1.cache-a.test servername=hostname\n"));
        assertThat(postmap("cache-b.test", "texthash:" + table)).as("testing: no answer in the default zone")
                .isEqualTo(new Postmap(1, ""));
    }

    @Test
    void exportInPostmapFormatCompilesIntoAHashTable() throws Exception {
        cache("refresh", "cache-a.test");
        Path source = dir.resolve("mtasts-fallback");
        Files.writeString(source, cache("export", "--format", "postmap").out());

        assertThat(run(List.of("/usr/sbin/postmap", "-c", postfixConfig().toString(), "hash:" + source)).exitCode())
                .isZero();

        assertThat(postmap("cache-a.test", "hash:" + source))
                .isEqualTo(new Postmap(0, "secure match=mx1.cache-a.test servername=hostname\n"));
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    @Test
    void missingStoreFileExitsFourNamingTheFile() {
        CommandRun list = cache("list");

        assertThat(list.exitCode()).isEqualTo(CacheSubcommand.STORE_UNAVAILABLE);
        assertThat(list.err()).contains("cannot open the sqlite policy store: " + store + " does not exist");
        assertThat(store).doesNotExist();
    }

    @Test
    void internalCacheHasNoStoreToSteer() throws Exception {
        Path internal = Files.writeString(dir.resolve("internal.yml"), "cache: {type: internal}\n");

        CommandRun list = run(CacheContext.DEFAULT.clock(), "list", "-c", internal.toString());

        assertThat(list.exitCode()).isEqualTo(CacheSubcommand.USAGE_ERROR);
        assertThat(list.err()).contains("cache type internal keeps policies in the daemon's memory only");
    }

    @Test
    void purgeNeedsADomainOrAll() {
        assertThat(cache("purge").exitCode()).isEqualTo(2);
        assertThat(cache("purge", "a.test", "--all").exitCode()).isEqualTo(2);
    }

    @Test
    void everySubcommandDocumentsItsExitCodesAndMainListsTheCommand() {
        for (String command : List.of("list", "show", "purge", "refresh", "export")) {
            CommandRun help = cache(command, "--help");
            assertThat(help.out()).as(command).contains("Exit codes:", "0   ", "2   usage or configuration error",
                    "4   the policy store cannot be opened");
        }
        assertThat(cache("refresh", "--help").out()).contains("3   discovery failed", "5   the store was changed");

        StringWriter out = new StringWriter();
        CommandLine main = Main.commandLine();
        main.setOut(new PrintWriter(out, true));
        assertThat(main.execute("cache", "--help")).isZero();
        assertThat(out.toString()).contains("list", "show", "purge", "refresh", "export");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private CommandRun cache(String... args) {
        return cache(Clock.systemUTC(), args);
    }

    private CommandRun cache(Clock clock, String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "-c";
        withConfig[args.length + 1] = config.toString();
        boolean help = List.of(args).contains("--help");
        return run(clock, help ? args : withConfig);
    }

    private CommandRun run(Clock clock, String... args) {
        CommandLine cache = CacheCommand.commandLine(new CacheContext(List.of(dir.resolve("absent.yml")),
                https.port(), clock));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cache.setOut(new PrintWriter(out, true));
        cache.setErr(new PrintWriter(err, true));
        int exit = cache.execute(args);
        return new CommandRun(exit, out.toString(), err.toString());
    }

    /** Polls the store (through the command) until the daemon's write-behind has saved {@code domain}. */
    private void awaitStored(String domain) throws InterruptedException {
        for (int attempt = 0; attempt < 500; attempt++) {
            if (Files.exists(store) && cache("show", domain).exitCode() == 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(domain + " never reached the store; daemon output: " + output());
    }

    private void startDaemon() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "daemon", "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.out").toFile());
        builder.environment().put("https_proxy", "http://127.0.0.1:" + proxy.port());
        builder.environment().remove("no_proxy");
        builder.environment().remove("NO_PROXY");
        daemon = builder.start();
        // without metrics or a dashboard the daemon has no HTTP listener: the commands reach it on the socketmap
        for (int attempt = 0; ; attempt++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), socketmapPort)) {
                return;
            } catch (IOException notYet) {
                assertThat(daemon.isAlive()).as("daemon running; output: %s", output()).isTrue();
                assertThat(attempt).as("daemon listening; output: %s", output()).isLessThan(3000);
                Thread.sleep(20);
            }
        }
    }

    private String output() {
        try {
            Path out = dir.resolve("daemon.out");
            return Files.exists(out) ? Files.readString(out) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String ask(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), socketmapPort)) {
            OutputStream out = socket.getOutputStream();
            out.write(Netstring.encode(request));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream length = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != ':') {
                if (b < 0) {
                    throw new IOException("connection closed before an answer");
                }
                length.write(b);
            }
            byte[] payload = in.readNBytes(Integer.parseInt(length.toString(StandardCharsets.US_ASCII)));
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    record Postmap(int exitCode, String out) {
    }

    /** {@code postmap -q KEY TABLE} with a configuration directory of its own (no /etc/postfix needed). */
    private Postmap postmap(String key, String table) throws Exception {
        return run(List.of("/usr/sbin/postmap", "-c", postfixConfig().toString(), "-q", key, table));
    }

    private Path postfixConfig() throws IOException {
        Path conf = Files.createDirectories(dir.resolve("postfix"));
        Path mainCf = conf.resolve("main.cf");
        if (!Files.exists(mainCf)) {
            Files.writeString(mainCf, "");
        }
        return conf;
    }

    private static Postmap run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Postmap(process.exitValue(), out);
    }
}
