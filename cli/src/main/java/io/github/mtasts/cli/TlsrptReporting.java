package io.github.mtasts.cli;

import io.github.mtasts.resolver.config.ConfigException;
import io.github.mtasts.resolver.config.DaemonConfig;
import io.github.mtasts.resolver.daemon.HttpAccess;
import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.dns.DnsTxtLookup;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.config.ReportSettings;
import io.github.mtasts.tlsrpt.delivery.Deliverer;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.HttpsDelivery;
import io.github.mtasts.tlsrpt.delivery.MailDelivery;
import io.github.mtasts.tlsrpt.delivery.ReportDispatch;
import io.github.mtasts.tlsrpt.delivery.ReportSender;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.RuaLookup;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * What the report commands ({@code report}, {@code send}, {@code queue}, {@code run}) share: the configuration
 * ({@code tlsrpt.report:} required), and the open stores (see {@link TlsrptStores}) and the dispatch over them.
 */
final class TlsrptReporting implements AutoCloseable {
    private static final Duration DEFAULT_DNS_TIMEOUT = Duration.ofSeconds(10);

    final TlsrptSetup setup;
    final ReportSettings settings;
    final PolicyStore policies;
    final AggregateStore aggregates;
    final DeliveryQueue queue;
    final ReportDispatch dispatch;
    /** The {@code dashboard:} credentials, which also guard the reporter's metrics listener. */
    final HttpAccess access;

    private TlsrptReporting(TlsrptSetup setup, ReportSettings settings, PolicyStore policies,
                            AggregateStore aggregates, DeliveryQueue queue, ReportDispatch dispatch,
                            HttpAccess access) {
        this.setup = setup;
        this.settings = settings;
        this.policies = policies;
        this.aggregates = aggregates;
        this.queue = queue;
        this.dispatch = dispatch;
        this.access = access;
    }

    /**
     * Loads the configuration and opens the stores.
     *
     * @throws ConfigException when the file is wrong or has no {@code tlsrpt.report:} section (named in the message)
     */
    static TlsrptReporting open(Path explicit, List<Path> defaults, Clock clock) throws ConfigException {
        return open(explicit, defaults, clock, UnaryOperator.identity());
    }

    /**
     * Loads the configuration and opens the stores; {@code around} wraps the deliverer of every attempt
     * ({@code tlsrpt run} counts them for its metrics).
     *
     * @throws ConfigException when the file is wrong or has no {@code tlsrpt.report:} section (named in the message)
     */
    static TlsrptReporting open(Path explicit, List<Path> defaults, Clock clock, UnaryOperator<Deliverer> around)
            throws ConfigException {
        Optional<Path> file = ConfigLocation.resolve(explicit, defaults);
        Configuration configuration = ConfigFiles.load(file);
        TlsrptSetup setup = TlsrptSetup.of(configuration, file);
        if (file.isEmpty()) {
            throw new ConfigException("no configuration file: reports need the tlsrpt.report section");
        }
        ReportSettings settings = configuration.tlsrpt().report().orElseThrow(() -> new ConfigException(
                file.get() + ": tlsrpt.report: missing; it names the reporter, the mail relay and the schedule"));
        DaemonConfig daemon = configuration.daemon();
        TlsrptStores.requireUsable(setup);
        Duration dnsTimeout = daemon.dns().timeout().orElse(DEFAULT_DNS_TIMEOUT);
        DnsTxtLookup dns = daemon.dns().nameservers().isEmpty()
                ? DnsTxtLookup.system(dnsTimeout) : DnsTxtLookup.using(daemon.dns().nameservers(), dnsTimeout);
        SSLContext tls;
        MailDelivery mail;
        try {
            tls = daemon.caFile().map(PolicyFetcher::trustFrom).orElseGet(PolicyFetcher::defaultTrust);
            mail = new MailDelivery(settings.mail(), clock);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file.get() + ": " + e.getMessage());
        }
        ReportSender sender = new ReportSender(mail, new HttpsDelivery(tls, settings.httpsTimeout(),
                "mtasts-tlsrpt/0.1.0"));
        PolicyStore policies = TlsrptStores.policies(setup);
        AggregateStore aggregates = null;
        DeliveryQueue queue = null;
        try {
            aggregates = TlsrptStores.aggregates(setup);
            queue = TlsrptStores.queue(setup);
            ReportDispatch dispatch = new ReportDispatch(aggregates, policies::servedPolicies,
                    new ReportBuilder(settings.reporter()), new RuaLookup(dns), queue, around.apply(sender::send),
                    settings.retry(), settings.lease(), new SecureRandom(), clock);
            return new TlsrptReporting(setup, settings, policies, aggregates, queue, dispatch,
                    configuration.dashboard().access());
        } catch (RuntimeException e) {
            if (queue != null) {
                queue.close();
            }
            if (aggregates != null) {
                aggregates.close();
            }
            policies.close();
            throw e;
        }
    }

    /** {@code --day}: an ISO date. */
    static LocalDate parseDay(String day) throws ConfigException {
        try {
            return LocalDate.parse(day);
        } catch (DateTimeParseException e) {
            throw new ConfigException("--day: expected a UTC day as YYYY-MM-DD, got \"" + day + "\"");
        }
    }

    /** Refuses days that have not ended yet: their counts are still growing. */
    static void requireEnded(LocalDate day, Clock clock) throws ConfigException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (!day.isBefore(today)) {
            throw new ConfigException("--day " + day + ": the UTC day has not ended yet (today is " + today + ")");
        }
    }

    @Override
    public void close() {
        try {
            queue.close();
        } finally {
            try {
                aggregates.close();
            } finally {
                policies.close();
            }
        }
    }
}
