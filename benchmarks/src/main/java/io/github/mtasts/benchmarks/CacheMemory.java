package io.github.mtasts.benchmarks;

import io.github.mtasts.resolver.cache.CacheSettings;
import io.github.mtasts.resolver.store.MemoryPolicyStore;
import io.github.mtasts.resolver.cache.PolicyCache;
import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Heap held by N cached policies: fills a {@link PolicyCache} over the {@code internal} store (the daemon's
 * all-in-heap configuration) through its ordinary lookup path, then reads heap used after full GCs. Each domain gets
 * its own parsed policy, as discovery would produce. Run:
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.mtasts.benchmarks.CacheMemory 100000}.
 */
public final class CacheMemory {

    private CacheMemory() {
    }

    public static void main(String[] args) throws Exception {
        int domains = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long before = heapAfterGc();
        // policies as discovery returns them: one parse per domain, its own mx patterns
        PolicyDiscovery discovery = (domain, knownTxtId) -> {
            try {
                return CompletableFuture.completedFuture(new DiscoveryResult.Found("20261129T000000", StsPolicy.parse(
                        "version: STSv1\r\nmode: enforce\r\nmx: mx1." + domain + "\r\nmx: *.mail." + domain
                                + "\r\nmax_age: 604800\r\n")));
            } catch (PolicySyntaxException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
        CacheSettings d = CacheSettings.defaults();
        CacheSettings settings = new CacheSettings(d.cacheGrace(), d.noPolicyTtl(), d.failureTtl(),
                d.maxConcurrentDiscoveries(), domains, d.proactive());
        try (PolicyCache cache = new PolicyCache(discovery, new MemoryPolicyStore(domains), settings, Clock.systemUTC())) {
            long found = 0;
            for (int i = 0; i < domains; i++) {
                if (cache.lookup("d" + i + ".example.com").join().isPresent()) {
                    found++;
                }
            }
            long after = heapAfterGc();
            long answered = 0;
            for (int i = 0; i < domains; i++) {
                if (cache.lookup("d" + i + ".example.com").join().isPresent()) {
                    answered++;
                }
            }
            System.out.printf(Locale.ROOT, "%d domains cached (%d discovered, %d answered from the cache): heap %.1f MiB "
                    + "after GC (%.1f MiB before filling), %.0f bytes per domain%n", domains, found, answered,
                    after / 1048576.0, before / 1048576.0, (after - before) / (double) domains);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
