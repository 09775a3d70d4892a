package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.tlsrpt.aggregate.AggregateStoreException;
import io.github.mtasts.tlsrpt.aggregate.FailureFigures;
import io.github.mtasts.tlsrpt.delivery.DeliveryQueue;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.inbound.InboundOrganizations;
import io.github.mtasts.tlsrpt.inbound.InboundReportStore;
import io.github.mtasts.tlsrpt.inbound.InboundTotals;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The dashboard's read model: every table the pages show and {@code /api/...} serves, each built from one or a few
 * bounded store queries (the stores sum and rank in SQL; this class only fills in empty days and computes rates).
 * Every method may throw the stores' exceptions; {@link #outboundAvailable} says whether the outbound tables can be
 * read at all.
 */
public final class DashboardTables {

    /** Rows of a ranking or a breakdown on a page and in the API. */
    public static final int ROWS = 50;
    /** Cached policies expiring within this are listed. */
    static final Duration EXPIRING = Duration.ofDays(7);
    /** Discovery errors of this many most recent days are listed. */
    static final int ERROR_DAYS = 7;

    private final InboundReportStore inbound;
    private final Outbound outbound;
    private final PolicyStore policies;
    private final Optional<DeliveryQueue> deliveries;
    private final Instant now;
    /** The policy cache, read once per request however many tables use it. */
    private List<CachedPolicy> cached;

    /** @param deliveries the report queue, when this process can read it */
    public DashboardTables(InboundReportStore inbound, Outbound outbound, PolicyStore policies,
                           Optional<DeliveryQueue> deliveries, Instant now) {
        this.deliveries = Objects.requireNonNull(deliveries, "deliveries");
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        this.outbound = Objects.requireNonNull(outbound, "outbound");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.now = Objects.requireNonNull(now, "now");
    }

    /** Empty when the outbound figures can be read, else why not. */
    public Optional<String> outboundUnavailable() {
        return outbound instanceof Outbound.Unavailable u ? Optional.of(u.reason())
                : Optional.empty();
    }

    private FailureFigures figures() {
        if (outbound instanceof Outbound.Figures f) {
            return f.figures();
        }
        throw new IllegalStateException("outbound figures unavailable: " + ((Outbound.Unavailable) outbound).reason());
    }

    static Double rate(long failed, long sessions) {
        return sessions == 0 ? null : Math.round(failed * 10000.0 / sessions) / 10000.0;
    }

    /** Totals of both sides: a row {@code outbound} (when readable) and a row {@code inbound}. */
    public Table summary(Window w) {
        List<List<Object>> rows = new ArrayList<>();
        if (outboundUnavailable().isEmpty()) {
            try {
                FailureFigures.Totals t = figures().totals(w.first(), w.last());
                long sessions = t.successes() + t.failures();
                rows.add(Arrays.asList("outbound", sessions, t.successes(), t.failures(), rate(t.failures(), sessions),
                        t.domains(), t.failingDomains(), null));
            } catch (AggregateStoreException e) {
                // without the outbound row: the page says why in the outbound section
            }
        }
        InboundTotals t = inbound.totals(w.first(), w.last());
        long sessions = t.successful() + t.failed();
        rows.add(Arrays.asList("inbound", sessions, t.successful(), t.failed(), rate(t.failed(), sessions),
                t.organizations(), null, t.reports()));
        return new Table("summary", w, List.of("side", "sessions", "successful", "failed", "failure_rate", "names",
                "failing_names", "reports"), rows, 0);
    }

    /** How many of our destinations had sessions under each policy type: STS, none (DANE once applied). */
    public Table policyTypes(Window w) {
        List<List<Object>> rows = new ArrayList<>();
        figures().policyTypes(w.first(), w.last()).forEach((type, n) -> rows.add(Arrays.asList(type, n)));
        return new Table("policy-types", w, List.of("policy_type", "domains"), rows, 0);
    }

    /** Our policy domains ranked by failed sessions, with their dominant result type and daily failures. */
    public Table domains(Window w) {
        FailureFigures f = figures();
        FailureFigures.Ranking ranking = f.ranking(w.first(), w.last(), ROWS);
        List<String> names = ranking.domains().stream().map(FailureFigures.DomainTotal::domain).toList();
        Map<String, String> dominant = f.dominantResultTypes(names, w.first(), w.last());
        Map<String, long[]> daily = new HashMap<>();
        List<LocalDate> days = w.dayList();
        for (FailureFigures.DailyCount d : f.daily(names, w.first(), w.last())) {
            daily.computeIfAbsent(d.domain(), k -> new long[days.size()])[
                    (int) (d.day().toEpochDay() - w.first().toEpochDay())] = d.failures();
        }
        List<List<Object>> rows = new ArrayList<>();
        for (FailureFigures.DomainTotal d : ranking.domains()) {
            long sessions = d.successes() + d.failures();
            long[] series = daily.getOrDefault(d.domain(), new long[days.size()]);
            rows.add(Arrays.asList(d.domain(), sessions, d.successes(), d.failures(), rate(d.failures(), sessions),
                    dominant.getOrDefault(d.domain(), ""), Arrays.stream(series).boxed().toList()));
        }
        return new Table("domains", w, List.of("domain", "sessions", "successful", "failed", "failure_rate",
                "dominant_result_type", "daily_failures"), rows, ranking.more());
    }

    /** The organisations that sent us reports, ranked by the failed sessions they saw. */
    public Table organizations(Window w) {
        InboundOrganizations o = inbound.organizations(w.first(), w.last(), ROWS);
        Map<String, long[]> daily = inbound.dailyFailures(
                o.organizations().stream().map(InboundOrganizations.Organization::name).toList(), w.first(), w.last());
        int days = w.dayList().size();
        List<List<Object>> rows = new ArrayList<>();
        for (InboundOrganizations.Organization org : o.organizations()) {
            long sessions = org.successful() + org.failed();
            rows.add(Arrays.asList(org.name(), org.reports(), sessions, org.successful(), org.failed(),
                    rate(org.failed(), sessions), org.dominantResultType(),
                    Arrays.stream(daily.getOrDefault(org.name(), new long[days])).boxed().toList()));
        }
        return new Table("organizations", w, List.of("organization", "reports", "sessions", "successful", "failed",
                "failure_rate", "dominant_result_type", "daily_failures"), rows, o.more());
    }

    private List<CachedPolicy> cachedPolicies() {
        if (cached == null) {
            cached = policies.loadAll();
        }
        return cached;
    }

    /** Cached policies by mode; DANE joins these rows once the resolver applies it. */
    public Table policyModes(Window w) {
        Map<PolicyMode, Long> modes = new EnumMap<>(PolicyMode.class);
        for (CachedPolicy p : cachedPolicies()) {
            modes.merge(p.policy().mode(), 1L, Long::sum);
        }
        List<List<Object>> rows = new ArrayList<>();
        modes.forEach((mode, n) -> rows.add(Arrays.asList("sts", mode.wireName(), n)));
        return new Table("policy-modes", w, List.of("policy_type", "mode", "policies"), rows, 0);
    }

    /** Cached policies whose max_age runs out within {@link #EXPIRING}, soonest first. */
    public Table policyExpiring(Window w) {
        Instant limit = now.plus(EXPIRING);
        List<CachedPolicy> expiring = cachedPolicies().stream().filter(p -> p.expiresAt().isBefore(limit))
                .sorted(Comparator.comparing(CachedPolicy::expiresAt).thenComparing(CachedPolicy::domain)).toList();
        List<List<Object>> rows = new ArrayList<>();
        for (CachedPolicy p : expiring.subList(0, Math.min(ROWS, expiring.size()))) {
            rows.add(Arrays.asList(p.domain(), p.policy().mode().wireName(), p.expiresAt().toString(),
                    p.lastCheckedAt().toString()));
        }
        return new Table("policy-expiring", w, List.of("domain", "mode", "expires", "last_checked"), rows,
                expiring.size() - rows.size());
    }

    /** Policy discovery failures of the last {@link #ERROR_DAYS} days, most frequent first. */
    public Table discoveryErrors(Window w) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<DiscoveryFailureCount> failures = new ArrayList<>();
        for (int i = 0; i < ERROR_DAYS; i++) {
            failures.addAll(policies.discoveryFailures(today.minusDays(i)));
        }
        failures.sort(Comparator.comparingLong(DiscoveryFailureCount::count).reversed()
                .thenComparing(DiscoveryFailureCount::day, Comparator.reverseOrder())
                .thenComparing(DiscoveryFailureCount::domain));
        List<List<Object>> rows = new ArrayList<>();
        for (DiscoveryFailureCount f : failures.subList(0, Math.min(ROWS, failures.size()))) {
            rows.add(Arrays.asList(f.domain(), f.day().toString(),
                    f.type().name().toLowerCase(Locale.ROOT).replace('_', '-'), f.count(), f.lastDetail()));
        }
        return new Table("discovery-errors", w, List.of("domain", "day", "failure_type", "count", "last_detail"),
                rows, failures.size() - rows.size());
    }

    /** One domain's sessions of every day of the window, with the mode of the policy in force that day. */
    public Table domainDays(String domain, Window w) {
        Map<LocalDate, FailureFigures.DailyCount> byDay = new HashMap<>();
        for (FailureFigures.DailyCount d : figures().daily(List.of(domain), w.first(), w.last())) {
            byDay.put(d.day(), d);
        }
        List<ServedPolicy> served = servedInWindow(domain, w);
        List<List<Object>> rows = new ArrayList<>();
        for (LocalDate day : w.dayList()) {
            FailureFigures.DailyCount d = byDay.get(day);
            long ok = d == null ? 0 : d.successes();
            long failed = d == null ? 0 : d.failures();
            rows.add(Arrays.asList(day.toString(), ok + failed, ok, failed, rate(failed, ok + failed),
                    policyOf(served, day)));
        }
        return new Table("days", w, List.of("day", "sessions", "successful", "failed", "failure_rate",
                "policy_mode"), rows, 0);
    }

    /** The mode of the policy in force at the end of {@code day}: the latest served before then; "" if none. */
    private static String policyOf(List<ServedPolicy> served, LocalDate day) {
        Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        String mode = "";
        for (ServedPolicy p : served) {
            if (p.firstServed().isBefore(end) && !p.lastServed().isBefore(start)) {
                mode = p.mode().wireName();
            }
        }
        return mode;
    }

    private List<ServedPolicy> servedInWindow(String domain, Window w) {
        Instant start = w.first().atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = w.last().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return policies.servedPolicies(domain).stream()
                .filter(p -> p.firstServed().isBefore(end) && !p.lastServed().isBefore(start)).toList();
    }

    /** The policies served for {@code domain} during the window, in order: a second row is a change. */
    public Table domainPolicies(String domain, Window w) {
        List<ServedPolicy> served = servedInWindow(domain, w);
        List<List<Object>> rows = new ArrayList<>();
        for (ServedPolicy p : served.subList(Math.max(0, served.size() - ROWS), served.size())) {
            List<String> mx = p.policyText().lines().filter(l -> l.startsWith("mx:"))
                    .map(l -> l.substring(3).trim()).toList();
            rows.add(Arrays.asList(p.firstServed().toString(), p.lastServed().toString(), p.mode().wireName(),
                    String.join(" ", mx), p.policyHash()));
        }
        return new Table("policies", w, List.of("first_served", "last_served", "mode", "mx", "policy_hash"), rows,
                served.size() - rows.size());
    }

    /** One domain's failed sessions by one failure-details field. */
    public Table domainFailures(String domain, FailureFigures.Dimension dimension, Window w) {
        FailureFigures.Breakdown b = figures().failures(domain, dimension, w.first(), w.last(), ROWS);
        List<List<Object>> rows = new ArrayList<>();
        for (FailureFigures.ValueCount v : b.values()) {
            rows.add(Arrays.asList(v.value(), v.sessions()));
        }
        return new Table(dimension.column(), w, List.of(dimension.column(), "failed"), rows, b.more());
    }

    /** Whether the report queue can be read here. */
    public boolean deliveriesAvailable() {
        return deliveries.isPresent();
    }

    /** The reports we sent for {@code domain} in the window and where each delivery stands, newest first. */
    public Table domainReports(String domain, Window w) {
        List<List<Object>> rows = new ArrayList<>();
        List<QueuedDelivery> queued = deliveries.isEmpty() ? List.of()
                : deliveries.get().deliveries(domain, w.first(), w.last(), ROWS + 1);
        for (QueuedDelivery d : queued.subList(0, Math.min(ROWS, queued.size()))) {
            rows.add(Arrays.asList(d.day().toString(), d.reportId(), d.destinationKey(),
                    d.state().name().toLowerCase(Locale.ROOT), (long) d.attempts(),
                    d.deliveredAt() == null ? "" : d.deliveredAt().toString(),
                    d.lastError() == null ? "" : d.lastError()));
        }
        return new Table("reports", w, List.of("day", "report_id", "destination", "state", "attempts",
                "delivered_at", "last_error"), rows, queued.size() > ROWS ? 1 : 0);
    }

    /** The organisations that reported on {@code domain}, if it is one of ours. */
    public Table domainReporters(String domain, Window w) {
        InboundOrganizations o = inbound.reporters(domain, w.first(), w.last(), ROWS);
        List<List<Object>> rows = new ArrayList<>();
        for (InboundOrganizations.Organization org : o.organizations()) {
            long sessions = org.successful() + org.failed();
            rows.add(Arrays.asList(org.name(), org.reports(), sessions, org.successful(), org.failed(),
                    rate(org.failed(), sessions)));
        }
        return new Table("reporters", w, List.of("organization", "reports", "sessions", "successful", "failed",
                "failure_rate"), rows, o.more());
    }

    /** What {@code organization} reported of each of our domains. */
    public Table organizationDomains(String organization, Window w) {
        InboundOrganizations.Seen seen = inbound.organization(organization, w.first(), w.last(), ROWS);
        List<List<Object>> rows = new ArrayList<>();
        for (InboundOrganizations.DomainSeen d : seen.domains()) {
            long sessions = d.successful() + d.failed();
            rows.add(Arrays.asList(d.domain(), sessions, d.successful(), d.failed(), rate(d.failed(), sessions)));
        }
        return new Table("domains", w, List.of("domain", "sessions", "successful", "failed", "failure_rate"), rows,
                seen.moreDomains());
    }

    /** The failure details {@code organization} reported, the most sessions first. */
    public Table organizationFailures(String organization, Window w) {
        InboundOrganizations.Seen seen = inbound.organization(organization, w.first(), w.last(), ROWS);
        List<List<Object>> rows = new ArrayList<>();
        for (InboundOrganizations.ReportedFailure f : seen.failures()) {
            rows.add(Arrays.asList(f.domain(), f.resultType(), f.receivingMx(), f.receivingIp(),
                    f.sendingMtaIp(), f.reasonCode(), f.sessions()));
        }
        return new Table("failures", w, List.of("domain", "result_type", "receiving_mx_hostname", "receiving_ip",
                "sending_mta_ip", "failure_reason_code", "failed"), rows, seen.moreFailures());
    }
}
