package io.github.mtasts.cli;

import io.github.mtasts.resolver.daemon.DaneSetup;
import io.github.mtasts.resolver.discovery.DaneDiscovery;
import io.github.mtasts.resolver.discovery.DnsDaneDiscovery;
import io.github.mtasts.resolver.dns.UntrustedResolverException;
import io.github.mtasts.resolver.check.CheckRenderer;
import io.github.mtasts.resolver.check.CheckReport;
import io.github.mtasts.resolver.check.DomainChecker;
import io.github.mtasts.resolver.check.SmtpTlsProbe;
import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.DnsMxLookup;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.policy.DomainKey;
import io.github.mtasts.resolver.policy.InvalidDomainKeyException;
import java.io.Console;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mtasts check DOMAIN}: the domain owner's pre-flight check before publishing {@code mode: enforce}. Exit 0
 * when no item fails, 1 when one does, 2 on usage errors (bad arguments, bad configuration, invalid domain).
 */
@Command(name = "check", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        description = "Check a domain's MTA-STS set-up (TXT record, policy, MX coverage, STARTTLS and certificates of "
                + "every MX address, TLSRPT record) and say whether it is safe to enforce.")
public final class CheckCommand implements Callable<Integer> {

    static final int USAGE_ERROR = 2;
    /** Default for DNS queries and each network step; SMTP servers may delay their greeting on purpose. */
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String EHLO_NAME = "mtasts-check.invalid";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DOMAIN", description = "The policy domain to check.")
    String domain;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--json", description = "Print the items and the verdict as JSON instead of a table.")
    boolean json;

    private final List<Path> defaultConfigs;
    private final int smtpPort;
    private final int httpsPort;

    public CheckCommand() {
        this(ConfigLocation.DEFAULTS, SmtpTlsProbe.SMTP_PORT, PolicyFetcher.HTTPS_PORT);
    }

    /** Tests point the check at servers on other ports than 25 and 443. */
    CheckCommand(List<Path> defaultConfigs, int smtpPort, int httpsPort) {
        this.defaultConfigs = List.copyOf(defaultConfigs);
        this.smtpPort = smtpPort;
        this.httpsPort = httpsPort;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Path> file = config.resolve(defaultConfigs);
        DaemonConfig daemonConfig;
        String policyDomain;
        X509TrustManager smtpTrust;
        SSLContext httpsTrust;
        try {
            daemonConfig = ConfigFiles.load(file).daemon();
            policyDomain = DomainKey.parse(domain).domain();
            smtpTrust = SmtpTlsProbe.trustManager(daemonConfig.caFile());
            httpsTrust = daemonConfig.caFile().map(PolicyFetcher::trustFrom).orElseGet(PolicyFetcher::defaultTrust);
        } catch (ConfigException | InvalidDomainKeyException | IllegalArgumentException e) {
            err.println("mtasts check: " + e.getMessage());
            return USAGE_ERROR;
        }
        Duration timeout = daemonConfig.dns().timeout().orElse(TIMEOUT);
        List<InetSocketAddress> servers = daemonConfig.dns().nameservers();
        Optional<DaneDiscovery> dane;
        try {
            dane = Optional.of(new DnsDaneDiscovery(DaneSetup.source(daemonConfig, timeout)));
        } catch (UntrustedResolverException e) {
            err.println("mtasts check: DANE not checked: " + e.getMessage());
            dane = Optional.empty();
        }
        DomainChecker checker = new DomainChecker(
                servers.isEmpty() ? DnsTxtLookup.system(timeout) : DnsTxtLookup.using(servers, timeout),
                servers.isEmpty() ? DnsMxLookup.system(timeout) : DnsMxLookup.using(servers, timeout),
                new PolicyFetcher(TIMEOUT, httpsTrust, PolicyFetcher.environmentProxy(), httpsPort),
                new SmtpTlsProbe(smtpTrust, daemonConfig.caFile().map(p -> "ca_file " + p).orElse("the JDK trust store"),
                        smtpPort, TIMEOUT, EHLO_NAME, Clock.systemUTC()),
                // connect, greeting, EHLO, STARTTLS, handshake and QUIT each have TIMEOUT; past all of them, give up
                TIMEOUT.multipliedBy(6), dane);
        CheckReport report = checker.check(policyDomain, daemonConfig.overrides());
        out.print(json ? CheckRenderer.json(report) : CheckRenderer.table(report, onTerminal()));
        out.flush();
        return report.exitCode();
    }

    /**
     * Colour only for a person at a terminal, never into a pipe or file. Up to JDK 21 {@link System#console()} is
     * null unless stdin and stdout are a terminal; from JDK 22 it exists anyway and {@code Console.isTerminal()}
     * (absent from the Java 17 API we compile against) tells.
     */
    static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException before22) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
