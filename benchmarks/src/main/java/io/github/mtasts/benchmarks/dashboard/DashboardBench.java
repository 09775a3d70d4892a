package io.github.mtasts.benchmarks.dashboard;

import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.SqlitePolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateBatch;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.SqliteAggregateStore;
import io.github.mtasts.tlsrpt.dashboard.DashboardRouter;
import io.github.mtasts.tlsrpt.dashboard.Outbound;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
import io.github.mtasts.tlsrpt.inbound.InboundFailure;
import io.github.mtasts.tlsrpt.inbound.InboundPolicy;
import io.github.mtasts.tlsrpt.inbound.InboundReport;
import io.github.mtasts.tlsrpt.inbound.SqliteInboundReportStore;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Time and heap of the failure dashboard over a large SQLite store: seeds (once) {@code domains} policy domains ×
 * 90 days of outbound counts with failure details, 50 reporting organisations' daily reports and a cached policy per
 * domain, then renders each page and an API table through {@link DashboardRouter} (no HTTP listener: the store
 * queries and the rendering are what is measured) and prints per request the median and slowest time, the bytes
 * allocated and the body's size, then the heap used after a full GC. Run:
 * {@code java -Xmx128m -cp … io.github.mtasts.benchmarks.dashboard.DashboardBench /tmp/dash.db 1000}.
 */
public final class DashboardBench {

    private static final int DAYS = 90;
    private static final int ORGANISATIONS = 50;
    private static final ResultType[] TYPES = {ResultType.CERTIFICATE_EXPIRED, ResultType.STARTTLS_NOT_SUPPORTED,
            ResultType.VALIDATION_FAILURE, ResultType.CERTIFICATE_HOST_MISMATCH};

    private DashboardBench() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "dashboard-bench.db");
        int domains = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            seed(file, domains, today);
            System.out.printf(Locale.ROOT, "seeded %s: %d domains x %d days in %.0f s, %.0f MiB%n", file, domains, DAYS,
                    (System.nanoTime() - t0) / 1e9, Files.size(file) / 1048576.0);
        }
        try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(file);
             SqliteInboundReportStore inbound = SqliteInboundReportStore.open(file);
             SqlitePolicyStore policies = SqlitePolicyStore.open(file);
             SqliteDeliveryQueue queue = SqliteDeliveryQueue.open(file)) {
            DashboardRouter router = new DashboardRouter(inbound, Outbound.Source.of(aggregates), policies,
                    Optional.of(queue),
                    Clock.systemUTC());
            List<String> requests = List.of("/?days=1", "/?days=7", "/?days=30", "/?days=90",
                    "/domain/d0.example?days=90", "/org/Organisation%200?days=90", "/api/domains.csv?days=90",
                    "/api/org/Organisation%200/failures?days=90");
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            System.out.printf(Locale.ROOT, "%-40s %9s %9s %12s %10s%n", "request", "median ms", "max ms",
                    "alloc MiB", "body kB");
            for (String request : requests) {
                String[] pq = request.split("\\?");
                Map<String, String> query = Map.of("days", pq[1].substring("days=".length()));
                for (int i = 0; i < 3; i++) {
                    router.route(pq[0], query, "");
                }
                double[] ms = new double[runs];
                long allocated = 0;
                int size = 0;
                for (int i = 0; i < runs; i++) {
                    long a0 = threads.getCurrentThreadAllocatedBytes();
                    long t0 = System.nanoTime();
                    DashboardRouter.Response response = router.route(pq[0], query, "");
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    allocated += threads.getCurrentThreadAllocatedBytes() - a0;
                    if (response.status() != 200) {
                        throw new IllegalStateException(request + ": " + response.status() + " " + response.body());
                    }
                    size = response.body().getBytes(StandardCharsets.UTF_8).length;
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%-40s %9.1f %9.1f %12.1f %10.1f%n", request, ms[runs / 2],
                        ms[runs - 1], allocated / (double) runs / 1048576.0, size / 1024.0);
            }
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf(Locale.ROOT, "heap used after GC %.1f MiB (max heap %.0f MiB)%n",
                    (rt.totalMemory() - rt.freeMemory()) / 1048576.0, rt.maxMemory() / 1048576.0);
        }
    }

    private static void seed(Path file, int domains, LocalDate today) throws Exception {
        Random random = new Random(42);
        try (SqliteAggregateStore aggregates = SqliteAggregateStore.open(file)) {
            for (int d = 0; d < DAYS; d++) {
                LocalDate day = today.minusDays(d);
                AggregateBatch batch = new AggregateBatch();
                for (int i = 0; i < domains; i++) {
                    String domain = "d" + i + ".example";
                    int successes = 1 + random.nextInt(20);
                    for (int s = 0; s < successes; s++) {
                        batch.add(new CountedSession(day, domain, PolicyGroup.sts("h" + i), null));
                    }
                    // a fifth of the domains fail, on three MX hosts with their own reasons
                    if (i % 5 == 0) {
                        for (int f = 0; f < 3; f++) {
                            ResultType type = TYPES[(i + f) % TYPES.length];
                            FailureKey key = new FailureKey(type, "192.0.2.1", "mx" + f + "." + domain,
                                    "198.51.100." + f, type.rfcName() + " on mx" + f);
                            for (int n = random.nextInt(4); n >= 0; n--) {
                                batch.add(new CountedSession(day, domain, PolicyGroup.sts("h" + i), key));
                            }
                        }
                    }
                }
                aggregates.commit(batch);
            }
        }
        try (SqliteInboundReportStore inbound = SqliteInboundReportStore.open(file)) {
            for (int d = 0; d < DAYS; d++) {
                Instant start = today.minusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
                for (int o = 0; o < ORGANISATIONS; o++) {
                    List<InboundPolicy> reported = new ArrayList<>();
                    for (int p = 0; p < 5; p++) {
                        String domain = "ours" + p + ".example";
                        reported.add(new InboundPolicy("sts", List.of("version: STSv1", "mode: enforce"),
                                Optional.of(domain), List.of("mx." + domain), 100, o % 3, o % 3 == 0 ? List.of()
                                : List.of(new InboundFailure("certificate-expired", Optional.of("203.0.113." + o),
                                Optional.of("mx." + domain), Optional.empty(), Optional.of("198.51.100.9"), o % 3,
                                Optional.empty(), Optional.empty()))));
                    }
                    inbound.save(new InboundReport("Organisation " + o, "r" + d + "-" + o, start,
                            start.plusSeconds(86399), Optional.empty(), reported, List.of()),
                            "{}".getBytes(StandardCharsets.UTF_8), Instant.now());
                }
            }
        }
        Instant now = Instant.now();
        try (SqlitePolicyStore policies = SqlitePolicyStore.open(file)) {
            for (int i = 0; i < domains; i++) {
                String domain = "d" + i + ".example";
                StsPolicy policy = StsPolicy.parse("version: STSv1\r\nmode: " + (i % 4 == 0 ? "testing" : "enforce")
                        + "\r\nmx: mx0." + domain + "\r\nmax_age: 604800\r\n");
                policies.save(new CachedPolicy(domain, "1", policy, now.minusSeconds(i * 600L),
                        now.plusSeconds(604800 - i * 600L), now));
                policies.policyServed(domain, policy, now.minusSeconds(86400L * DAYS), now);
            }
        }
    }
}
