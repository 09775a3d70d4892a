package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link InboundReportStore} shares; one subclass per implementation, so they cannot drift
 * apart. Each test starts from an empty store; {@link #open()} gives another handle on it.
 */
abstract class InboundReportStoreContract {

    static final Instant RECEIVED = Instant.parse("2024-05-02T06:00:00Z");

    abstract InboundReportStore open() throws Exception;

    static InboundReport report(String org, String id, String start, String end) {
        return new InboundReport(org, id, Instant.parse(start), Instant.parse(end), Optional.of("tls@example.net"),
                List.of(new InboundPolicy("sts", List.of("version: STSv1", "mode: enforce"), Optional.of("example.com"),
                        List.of("mx1.example.com"), 7, 1, List.of(new InboundFailure("certificate-expired",
                        Optional.of("192.0.2.1"), Optional.of("mx1.example.com"), Optional.empty(),
                        Optional.of("198.51.100.1"), 1, Optional.empty(), Optional.empty())))),
                List.of("contact-info is null"));
    }

    static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void storedReportReadsBackEqualWithItsDeviations() throws Exception {
        InboundReport report = report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z");
        try (InboundReportStore store = open()) {
            assertThat(store.save(report, json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.reports()).containsExactly(report);
        }
    }

    @Test
    void totalsSumTheWindowInTheStore() throws Exception {
        try (InboundReportStore store = open()) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Example Org", "r2", "2024-05-01T06:00:00Z", "2024-05-02T05:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Other Org", "r3", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"), json("{}"), RECEIVED);
            store.save(new InboundReport("Quiet Org", "r4", Instant.parse("2024-05-02T00:00:00Z"),
                    Instant.parse("2024-05-02T23:59:59Z"), Optional.empty(), List.of(new InboundPolicy("sts", List.of(),
                    Optional.empty(), List.of(), 3, 0, List.of())), List.of()), json("{}"), RECEIVED);
            // a report without policies counts as a report with no sessions
            store.save(new InboundReport("Empty Org", "r5", Instant.parse("2024-05-02T00:00:00Z"),
                    Instant.parse("2024-05-02T23:59:59Z"), Optional.empty(), List.of(), List.of()), json("{}"), RECEIVED);
            // outside the window
            store.save(report("Old Org", "r0", "2024-04-30T00:00:00Z", "2024-04-30T23:59:59Z"), json("{}"), RECEIVED);

            InboundTotals totals = store.totals(LocalDate.parse("2024-05-01"), LocalDate.parse("2024-05-02"));

            assertThat(totals).isEqualTo(new InboundTotals(5, 4, 24, 3));
            assertThat(store.totals(LocalDate.parse("2024-06-01"), LocalDate.parse("2024-06-30")))
                    .isEqualTo(new InboundTotals(0, 0, 0, 0));
        }
    }

    @Test
    void organisationsAreRankedByFailedSessionsInTheStoreWithTheirDominantResultType() throws Exception {
        try (InboundReportStore store = open()) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Example Org", "r2", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Other Org", "r3", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"), json("{}"), RECEIVED);
            store.save(new InboundReport("Quiet Org", "r4", Instant.parse("2024-05-02T00:00:00Z"),
                    Instant.parse("2024-05-02T23:59:59Z"), Optional.empty(), List.of(new InboundPolicy("sts", List.of(),
                    Optional.empty(), List.of(), 3, 0, List.of())), List.of()), json("{}"), RECEIVED);
            store.save(report("Old Org", "r0", "2024-04-30T00:00:00Z", "2024-04-30T23:59:59Z"), json("{}"), RECEIVED);

            InboundOrganizations ranked = store.organizations(LocalDate.parse("2024-05-01"),
                    LocalDate.parse("2024-05-02"), 2);

            assertThat(ranked.organizations()).containsExactly(
                    new InboundOrganizations.Organization("Example Org", 2, 14, 2, "certificate-expired"),
                    new InboundOrganizations.Organization("Other Org", 1, 7, 1, "certificate-expired"));
            assertThat(ranked.more()).isEqualTo(1);
            assertThat(store.organizations(LocalDate.parse("2024-05-02"), LocalDate.parse("2024-05-02"), 10)
                    .organizations()).extracting(InboundOrganizations.Organization::name)
                    .containsExactly("Example Org", "Other Org", "Quiet Org");
        }
    }

    @Test
    void dailyFailuresOfTheRankedOrganisationsArePerDayOfTheWindow() throws Exception {
        try (InboundReportStore store = open()) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Example Org", "r2", "2024-05-03T00:00:00Z", "2024-05-03T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Other Org", "r3", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Other Org", "r4", "2024-05-04T00:00:00Z", "2024-05-04T23:59:59Z"), json("{}"), RECEIVED);

            Map<String, long[]> daily = store.dailyFailures(List.of("Example Org", "Other Org", "Nobody"),
                    LocalDate.parse("2024-05-01"), LocalDate.parse("2024-05-03"));

            assertThat(daily.get("Example Org")).containsExactly(1, 0, 1);
            assertThat(daily.get("Other Org")).as("its report of the 4th is outside the window").containsExactly(0, 1, 0);
            assertThat(daily).doesNotContainKey("Nobody");
            assertThat(store.dailyFailures(List.of(), LocalDate.parse("2024-05-01"), LocalDate.parse("2024-05-03")))
                    .isEmpty();
        }
    }

    @Test
    void oneOrganisationsViewSumsItsDomainsAndFailures() throws Exception {
        try (InboundReportStore store = open()) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Example Org", "r2", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"), json("{}"), RECEIVED);
            store.save(report("Other Org", "r3", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"), json("{}"), RECEIVED);

            InboundOrganizations.Seen seen = store.organization("Example Org", LocalDate.parse("2024-05-01"),
                    LocalDate.parse("2024-05-02"), 10);

            assertThat(seen.domains()).containsExactly(new InboundOrganizations.DomainSeen("example.com", 14, 2));
            assertThat(seen.moreDomains()).isZero();
            assertThat(seen.failures()).containsExactly(new InboundOrganizations.ReportedFailure("example.com",
                    "certificate-expired", "192.0.2.1", "mx1.example.com", "198.51.100.1", "", 2));
            assertThat(seen.moreFailures()).isZero();
            assertThat(store.organization("Nobody", LocalDate.parse("2024-05-01"), LocalDate.parse("2024-05-02"), 10)
                    .domains()).isEmpty();
            assertThat(store.reporters("example.com", LocalDate.parse("2024-05-01"), LocalDate.parse("2024-05-02"), 1))
                    .isEqualTo(new InboundOrganizations(List.of(
                            new InboundOrganizations.Organization("Example Org", 2, 14, 2, "")), 1));
        }
    }

    @Test
    void reportsComeOldestPeriodFirstWithoutPoliciesWhenTheyHadNone() throws Exception {
        InboundReport later = report("Example Org", "r2", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z");
        InboundReport empty = new InboundReport("Other Org", "r1", Instant.parse("2024-05-01T00:00:00Z"),
                Instant.parse("2024-05-01T23:59:59Z"), Optional.empty(), List.of(), List.of());
        try (InboundReportStore store = open()) {
            store.save(later, json("{}"), RECEIVED);
            store.save(empty, json("{}"), RECEIVED);

            assertThat(store.reports()).containsExactly(empty, later);
        }
    }

    @Test
    void sameOrganisationIdAndRangeIsADuplicateButAnotherRangeIsNot() throws Exception {
        try (InboundReportStore store = open()) {
            store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"), json("{}"), RECEIVED);

            assertThat(store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"),
                    json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.DUPLICATE);
            assertThat(store.save(report("Example Org", "r1", "2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z"),
                    json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.save(report("Other Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z"),
                    json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.reports()).hasSize(3);
        }
    }

    /**
     * The longest names a report may carry (1,024 characters each, {@link ReportLimits#DEFAULT}), in a script of
     * three UTF-8 bytes per character: ~6 KB of key, beyond one PostgreSQL index entry (2,704 bytes).
     */
    @Test
    void theLongestOrganisationAndReportIdAreStoredOnceAndReadBack() throws Exception {
        java.util.Random random = new java.util.Random(8460);
        StringBuilder ideographs = new StringBuilder();
        for (int i = 0; i < 2 * ReportLimits.DEFAULT.maxStringLength(); i++) {
            ideographs.append((char) (0x4e00 + random.nextInt(0x5000)));  // random, so that no index compresses them
        }
        String organisation = ideographs.substring(0, ReportLimits.DEFAULT.maxStringLength());
        String reportId = ideographs.substring(ReportLimits.DEFAULT.maxStringLength() + 1) + "1";
        InboundReport report = report(organisation, reportId, "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z");
        try (InboundReportStore store = open()) {
            assertThat(store.save(report, json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.save(report, json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.DUPLICATE);
            InboundReport other = report(organisation, reportId.replace('1', '2'), "2024-05-01T00:00:00Z",
                    "2024-05-01T23:59:59Z");
            assertThat(store.save(other, json("{}"), RECEIVED)).isEqualTo(InboundReportStore.Saved.STORED);
            assertThat(store.reports()).containsExactlyInAnyOrder(report, other);
        }
    }

    /** Several receivers store the report a sender sent each of them at once: it is kept once, whole. */
    @Test
    void ofSeveralHandlesSavingOneReportAtOnceExactlyOneStoresIt() throws Exception {
        InboundReport report = report("Example Org", "r1", "2024-05-01T00:00:00Z", "2024-05-01T23:59:59Z");
        int n = 6;
        List<InboundReportStore> stores = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        int stored = 0;
        try {
            for (int i = 0; i < n; i++) {
                stores.add(open());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<InboundReportStore.Saved>> results = new ArrayList<>();
            for (InboundReportStore store : stores) {
                results.add(pool.submit((Callable<InboundReportStore.Saved>) () -> {
                    start.await();
                    return store.save(report, json("{}"), RECEIVED);
                }));
            }
            start.countDown();
            for (Future<InboundReportStore.Saved> result : results) {
                if (result.get() == InboundReportStore.Saved.STORED) {
                    stored++;
                }
            }
            assertThat(stores.get(0).reports()).containsExactly(report);
        } finally {
            pool.shutdownNow();
            for (InboundReportStore store : stores) {
                store.close();
            }
        }
        assertThat(stored).isEqualTo(1);
    }

    @Test
    void closedStoreFailsWithAStoreException() throws Exception {
        InboundReportStore store = open();
        store.close();

        assertThatThrownBy(() -> store.save(report("Example Org", "r1", "2024-05-01T00:00:00Z",
                "2024-05-01T23:59:59Z"), json("{}"), RECEIVED))
                .isInstanceOf(InboundStoreException.class)
                .hasMessageStartingWith("cannot store report r1 from Example Org");
    }
}
