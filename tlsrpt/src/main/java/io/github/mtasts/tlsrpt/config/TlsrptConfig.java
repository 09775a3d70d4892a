package io.github.mtasts.tlsrpt.config;

import io.github.mtasts.resolver.config.CacheConfig;
import io.github.mtasts.resolver.config.DaneMode;
import io.github.mtasts.resolver.config.MetricsConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code tlsrpt:} section of the one configuration file: what the collector needs, and the report settings.
 *
 * @param sendingMtaIps           our outgoing addresses (RFC 8460 {@code sending-mta-ip}; Postfix does not log it)
 * @param logTimezone             the zone of log timestamps written without an offset
 * @param sources                 log files {@code tlsrpt ingest} reads when given none
 * @param socket                  the unix datagram socket Postfix's libtlsrpt sends to, {@code tlsrpt run} and
 *                                {@code tlsrpt collect} receive on; empty when datagrams are not collected (then
 *                                log ingest counts every session, see {@code Ingest})
 * @param reportRecipientsExclude recipients ({@code user@domain}) or whole domains ({@code @domain}) whose
 *                                deliveries are our own report mail, not counted (RFC 8460 §5.3); lowercase
 * @param batchLines              lines (or datagrams) per committed batch at most
 * @param batchInterval           time a batch stays uncommitted at most
 * @param metrics                 the Prometheus listener of {@code tlsrpt run} (off by default; its own port, since
 *                                the daemon and the milter serve theirs)
 * @param hostName                this host's name in a fleet sharing one store: its read offsets are kept under it
 * @param store                   where the TLSRPT data lives when not where the policy cache is: a
 *                                {@link CacheConfig.Sqlite} or {@link CacheConfig.Postgres}
 * @param report                  {@code tlsrpt.report:}, which the report commands require; empty when absent
 * @param dane                    whether the Postfix whose log is read does DANE ({@code smtp_dns_support_level =
 *                                dnssec}): then sessions to MX hosts with validated TLSA records are reported under
 *                                their {@code tlsa} policy, found by DNS lookups with the {@code dnssec:} section's
 *                                DNSSEC status; {@code auto} asks postconf as the daemon's zones do (off by default)
 */
public record TlsrptConfig(List<String> sendingMtaIps, ZoneId logTimezone, List<Path> sources,
                           Optional<CollectorSocket> socket, List<String> reportRecipientsExclude, int batchLines,
                           Duration batchInterval,
                           MetricsConfig metrics, String hostName, Optional<CacheConfig> store,
                           Optional<ReportSettings> report, DaneMode dane) {
    public static final int DEFAULT_BATCH_LINES = 1000;
    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofSeconds(1);
    public static final MetricsConfig DEFAULT_METRICS = new MetricsConfig(false, "127.0.0.1", 9464);

    public TlsrptConfig {
        sendingMtaIps = List.copyOf(sendingMtaIps);
        Objects.requireNonNull(logTimezone, "logTimezone");
        sources = List.copyOf(sources);
        Objects.requireNonNull(socket, "socket");
        reportRecipientsExclude = List.copyOf(reportRecipientsExclude);
        Objects.requireNonNull(batchInterval, "batchInterval");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(dane, "dane");
        if (hostName.isBlank() || hostName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("host name must be non-empty without white space: \"" + hostName
                    + "\"");
        }
        if (store.isPresent() && !(store.get() instanceof CacheConfig.Sqlite)
                && !(store.get() instanceof CacheConfig.Postgres)) {
            throw new IllegalArgumentException("tlsrpt store must be sqlite or postgres, got " + store.get().type());
        }
        if (batchLines < 1) {
            throw new IllegalArgumentException("batchLines must be positive: " + batchLines);
        }
        for (String excluded : reportRecipientsExclude) {
            if (!excluded.equals(excluded.toLowerCase(Locale.ROOT)) || excluded.indexOf('@') < 0) {
                throw new IllegalArgumentException("excluded recipient must be lowercase user@domain or @domain: "
                        + excluded);
            }
        }
    }

    public static TlsrptConfig defaults() {
        return new TlsrptConfig(List.of(), ZoneId.systemDefault(), List.of(), Optional.empty(), List.of(),
                DEFAULT_BATCH_LINES, DEFAULT_BATCH_INTERVAL, DEFAULT_METRICS, machineHostName(), Optional.empty(),
                Optional.empty(), DaneMode.OFF);
    }

    /** The default {@code host_name}: the kernel's host name, else what Java resolves, else {@code localhost}. */
    public static String machineHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException notLinux) {
            // fall through to the resolver's view
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Whether a delivery to {@code recipient} is our own report mail (RFC 8460 §5.3); null never is. */
    public boolean isReportRecipient(String recipient) {
        if (recipient == null) {
            return false;
        }
        String lower = recipient.toLowerCase(Locale.ROOT);
        String domain = lower.substring(lower.lastIndexOf('@') + 1);
        for (String excluded : reportRecipientsExclude) {
            if (excluded.startsWith("@") ? excluded.substring(1).equals(domain) : excluded.equals(lower)) {
                return true;
            }
        }
        return false;
    }
}
