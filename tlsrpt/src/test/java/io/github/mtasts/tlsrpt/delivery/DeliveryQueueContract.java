package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.AppliedPolicy;
import io.github.mtasts.tlsrpt.report.DailyReport;
import io.github.mtasts.tlsrpt.report.PolicyResult;
import io.github.mtasts.tlsrpt.report.ReportBuilder;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link DeliveryQueue} shares; one subclass per implementation, so they cannot drift apart.
 * Each test starts from an empty queue; {@link #open()} gives another handle on it, as another process would have.
 */
abstract class DeliveryQueueContract {
    static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    static final Instant NOW = Instant.parse("2026-11-29T03:00:00Z");

    abstract DeliveryQueue open() throws Exception;

    static TlsRptReport report(LocalDate day, String domain, long successes) {
        return new ReportBuilder(new ReporterSettings("Example", "tlsrpt@example.net", "example.net"))
                .build(new DailyReport(day, domain, List.of(new PolicyResult(AppliedPolicy.noPolicyFound(),
                        successes, 0, List.of()))));
    }

    @Test
    void aReportIdIsStoredOnceAndTheFirstBytesAreKept() throws Exception {
        try (DeliveryQueue queue = open()) {
            TlsRptReport first = report(DAY, "a.test", 5);

            assertThat(queue.addReport(first, NOW)).isTrue();
            assertThat(queue.addReport(report(DAY, "a.test", 9), NOW)).isFalse();

            assertThat(queue.report(first.reportId())).contains(first);
            assertThat(queue.reports(DAY)).containsExactly(
                    new DeliveryQueue.StoredReport(first.reportId(), "a.test", false, null));
        }
    }

    /** The longest destination a TLSRPT record may name is a key of the queue (PostgreSQL: 2,704 bytes per entry). */
    @Test
    void theLongestAcceptedDestinationIsRouted() throws Exception {
        String prefix = "https://a.test/";
        String longest = prefix + "r".repeat(io.github.mtasts.resolver.policy.ReportUri.MAX_LENGTH - prefix.length());
        try (DeliveryQueue queue = open()) {
            TlsRptReport report = report(DAY, "a.test", 1);
            queue.addReport(report, NOW);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due(longest, NOW)), null);

            assertThat(queue.deliveries(DAY)).extracting(QueuedDelivery::destinationKey).containsExactly(longest);
        }
    }

    @Test
    void routingTwiceKeepsTheFirstRowsAndMarksTheReportRouted() throws Exception {
        try (DeliveryQueue queue = open()) {
            TlsRptReport report = report(DAY, "a.test", 1);
            queue.addReport(report, NOW);
            assertThat(queue.unroutedReports(DAY)).containsExactly(report.reportId());

            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW)), null);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW.plusSeconds(99)),
                    new DeliveryQueue.Due("https://a.test/r", NOW)), null);

            assertThat(queue.unroutedReports(DAY)).isEmpty();
            assertThat(queue.deliveries(DAY)).extracting(QueuedDelivery::destinationKey, QueuedDelivery::nextAttempt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("https://a.test/r", NOW),
                            org.assertj.core.groups.Tuple.tuple("mailto:x@a.test", NOW));
        }
    }

    @Test
    void oneDomainsDeliveriesOfAWindowComeNewestFirstUpToTheLimit() throws Exception {
        try (DeliveryQueue queue = open()) {
            for (int back = 0; back < 3; back++) {
                for (String domain : List.of("a.test", "b.test")) {
                    TlsRptReport report = report(DAY.minusDays(back), domain, 1);
                    queue.addReport(report, NOW);
                    queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@" + domain, NOW)), null);
                }
            }

            assertThat(queue.deliveries("a.test", DAY.minusDays(1), DAY, 10))
                    .extracting(QueuedDelivery::day, QueuedDelivery::policyDomain)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(DAY, "a.test"),
                            org.assertj.core.groups.Tuple.tuple(DAY.minusDays(1), "a.test"));
            assertThat(queue.deliveries("a.test", DAY.minusDays(2), DAY, 1)).extracting(QueuedDelivery::day)
                    .containsExactly(DAY);
        }
    }

    @Test
    void aRowIsClaimedOnceAndAStaleRetryMarkIsIgnored() throws Exception {
        try (DeliveryQueue queue = open(); DeliveryQueue other = open()) {
            TlsRptReport report = report(DAY, "a.test", 1);
            queue.addReport(report, NOW);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW)), null);
            QueuedDelivery seen = queue.due(NOW, Optional.empty()).get(0);

            Optional<QueuedDelivery> claimed = queue.claim(seen, NOW, NOW.plusSeconds(600));
            assertThat(other.claim(seen, NOW, NOW.plusSeconds(600))).isEmpty();
            assertThat(claimed).get().extracting(QueuedDelivery::attempts).isEqualTo(1);
            assertThat(queue.due(NOW.plusSeconds(599), Optional.empty())).isEmpty();

            QueuedDelivery lapsed = other.due(NOW.plusSeconds(600), Optional.empty()).get(0);
            Optional<QueuedDelivery> second = other.claim(lapsed, NOW.plusSeconds(600), NOW.plusSeconds(1200));
            assertThat(second).get().extracting(QueuedDelivery::attempts).isEqualTo(2);
            queue.markRetry(claimed.get(), NOW.plusSeconds(5), "late news from the first attempt");
            assertThat(queue.deliveries(DAY).get(0).lastError()).isNull();

            other.markDelivered(second.get(), NOW.plusSeconds(601));
            QueuedDelivery row = queue.deliveries(DAY).get(0);
            assertThat(row.state()).isEqualTo(QueuedDelivery.State.DELIVERED);
            assertThat(row.firstAttempt()).isEqualTo(NOW);
            assertThat(row.deliveredAt()).isEqualTo(NOW.plusSeconds(601));
            queue.markFailed(claimed.get(), "too late");
            assertThat(queue.deliveries(DAY).get(0).state()).isEqualTo(QueuedDelivery.State.DELIVERED);
        }
    }

    static QueuedDelivery claimedRow(DeliveryQueue queue, String domain) {
        TlsRptReport report = report(DAY, domain, 1);
        queue.addReport(report, NOW);
        queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@" + domain, NOW)), null);
        QueuedDelivery seen = queue.due(NOW, Optional.empty()).stream()
                .filter(d -> d.reportId().equals(report.reportId())).findFirst().orElseThrow();
        return queue.claim(seen, NOW, NOW.plusSeconds(600)).orElseThrow();
    }

    @Test
    void aSendingRowIsNeverDueAgainEvenAfterItsLease() throws Exception {
        try (DeliveryQueue queue = open()) {
            QueuedDelivery claimed = claimedRow(queue, "a.test");

            assertThat(queue.markSending(claimed, NOW, "Message-ID <m@x> via relay:25")).isTrue();
            assertThat(queue.markSending(claimed, NOW, "Message-ID <m@x> via relay:25")).as("same attempt").isTrue();

            assertThat(queue.due(NOW.plusSeconds(86_400), Optional.empty())).isEmpty();
            QueuedDelivery row = queue.deliveries(DAY).get(0);
            assertThat(row.state()).isEqualTo(QueuedDelivery.State.SENDING);
            assertThat(row.sendingDetail()).isEqualTo("Message-ID <m@x> via relay:25");
            assertThat(row.uncertain(NOW.plusSeconds(599))).as("its claim still runs").isFalse();
            assertThat(row.uncertain(NOW.plusSeconds(600))).isTrue();
        }
    }

    @Test
    void theCommitPointIsRefusedToAnAttemptWhoseRowWasClaimedAgain() throws Exception {
        try (DeliveryQueue queue = open(); DeliveryQueue other = open()) {
            QueuedDelivery first = claimedRow(queue, "a.test");
            QueuedDelivery lapsed = other.due(NOW.plusSeconds(600), Optional.empty()).get(0);
            QueuedDelivery second = other.claim(lapsed, NOW.plusSeconds(600), NOW.plusSeconds(1200)).orElseThrow();

            assertThat(queue.markSending(first, NOW.plusSeconds(601), "late")).isFalse();
            assertThat(other.markSending(second, NOW.plusSeconds(601), "second")).isTrue();
            assertThat(queue.markSending(first, NOW.plusSeconds(602), "late")).isFalse();
            queue.markDelivered(first, NOW.plusSeconds(603));

            QueuedDelivery row = queue.deliveries(DAY).get(0);
            assertThat(row.state()).isEqualTo(QueuedDelivery.State.SENDING);
            assertThat(row.sendingDetail()).isEqualTo("second");
        }
    }

    @Test
    void anAnswerAfterTheCommitPointSettlesTheRow() throws Exception {
        try (DeliveryQueue queue = open()) {
            QueuedDelivery refused = claimedRow(queue, "a.test");
            QueuedDelivery accepted = claimedRow(queue, "b.test");
            queue.markSending(refused, NOW, "a");
            queue.markSending(accepted, NOW, "b");

            queue.markRetry(refused, NOW.plusSeconds(300), "451 try later");
            queue.markDelivered(accepted, NOW.plusSeconds(1));

            assertThat(queue.deliveries(DAY)).extracting(QueuedDelivery::policyDomain, QueuedDelivery::state,
                    QueuedDelivery::lastError, QueuedDelivery::sendingDetail).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("a.test", QueuedDelivery.State.PENDING, "451 try later", null),
                    org.assertj.core.groups.Tuple.tuple("b.test", QueuedDelivery.State.DELIVERED, null, null));
            assertThat(queue.due(NOW.plusSeconds(300), Optional.empty())).extracting(QueuedDelivery::policyDomain)
                    .containsExactly("a.test");
        }
    }

    @Test
    void onlyAnUncertainRowCanBeResentOrMarkedDeliveredByTheOperator() throws Exception {
        try (DeliveryQueue queue = open()) {
            QueuedDelivery resend = claimedRow(queue, "a.test");
            QueuedDelivery confirm = claimedRow(queue, "b.test");
            QueuedDelivery untouched = claimedRow(queue, "c.test");
            queue.markSending(resend, NOW, "Message-ID <a@x>");
            queue.markSending(confirm, NOW, "Message-ID <b@x>");
            Instant during = NOW.plusSeconds(599);
            Instant after = NOW.plusSeconds(600);

            assertThat(queue.resolveUncertain(resend.reportId(), resend.destinationKey(),
                    DeliveryQueue.Resolution.RESEND, during)).as("claim still running").isFalse();
            assertThat(queue.resolveUncertain(untouched.reportId(), untouched.destinationKey(),
                    DeliveryQueue.Resolution.DELIVERED, after)).as("pending, not sending").isFalse();
            assertThat(queue.resolveUncertain(resend.reportId(), resend.destinationKey(),
                    DeliveryQueue.Resolution.RESEND, after)).isTrue();
            assertThat(queue.resolveUncertain(confirm.reportId(), confirm.destinationKey(),
                    DeliveryQueue.Resolution.DELIVERED, after)).isTrue();
            assertThat(queue.resolveUncertain(confirm.reportId(), confirm.destinationKey(),
                    DeliveryQueue.Resolution.RESEND, after)).as("already resolved").isFalse();

            List<QueuedDelivery> rows = queue.deliveries(DAY);
            assertThat(rows.get(0).state()).isEqualTo(QueuedDelivery.State.PENDING);
            assertThat(rows.get(0).lastError()).isEqualTo("resent by the operator: Message-ID <a@x>");
            assertThat(rows.get(1).state()).isEqualTo(QueuedDelivery.State.DELIVERED);
            assertThat(rows.get(1).deliveredAt()).isEqualTo(after);
            assertThat(queue.due(after, Optional.empty())).extracting(QueuedDelivery::policyDomain)
                    .containsExactly("a.test", "c.test");
        }
    }

    @Test
    void countsTellSendingFromUncertainByTheClaim() throws Exception {
        try (DeliveryQueue queue = open()) {
            QueuedDelivery sending = claimedRow(queue, "a.test");
            QueuedDelivery delivered = claimedRow(queue, "b.test");
            QueuedDelivery failed = claimedRow(queue, "c.test");
            claimedRow(queue, "d.test");
            queue.markSending(sending, NOW, "a");
            queue.markDelivered(delivered, NOW);
            queue.markFailed(failed, "550 no");

            assertThat(queue.counts(NOW.plusSeconds(1))).isEqualTo(new DeliveryQueue.StateCounts(1, 1, 0, 1, 1));
            assertThat(queue.counts(NOW.plusSeconds(600))).isEqualTo(new DeliveryQueue.StateCounts(1, 0, 1, 1, 1));
        }
    }

    @Test
    void mailDestinationsOfKeptReportsAreReportRecipients() throws Exception {
        try (DeliveryQueue queue = open()) {
            TlsRptReport report = report(DAY, "a.test", 1);
            queue.addReport(report, NOW);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:TLSRPT@a.test", NOW),
                    new DeliveryQueue.Due("https://b.test/in", NOW)), null);

            assertThat(queue.isReportRecipient("tlsrpt@A.test")).isTrue();
            assertThat(queue.isReportRecipient("other@a.test")).isFalse();
            assertThat(queue.isReportRecipient("https://b.test/in")).isFalse();
            queue.purgeBefore(DAY.plusDays(1));
            assertThat(queue.isReportRecipient("tlsrpt@a.test")).isFalse();
        }
    }

    @Test
    void expediteMakesOnlyUntriedRowsOfTheDayDueNow() throws Exception {
        try (DeliveryQueue queue = open()) {
            TlsRptReport report = report(DAY, "a.test", 1);
            TlsRptReport other = report(DAY.minusDays(1), "a.test", 1);
            queue.addReport(report, NOW);
            queue.addReport(other, NOW);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW),
                    new DeliveryQueue.Due("mailto:y@a.test", NOW.plusSeconds(3600))), null);
            queue.route(other.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW.plusSeconds(3600))),
                    null);
            queue.claim(queue.due(NOW, Optional.empty()).get(0), NOW, NOW.plusSeconds(600));

            queue.expedite(DAY, NOW);

            assertThat(queue.due(NOW, Optional.empty())).extracting(QueuedDelivery::reportId,
                    QueuedDelivery::destinationKey).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(report.reportId(), "mailto:y@a.test"));
        }
    }

    @Test
    void purgeDeletesReportsDeliveriesAndDayMarksBeforeTheFirstKeptDay() throws Exception {
        try (DeliveryQueue queue = open()) {
            TlsRptReport old = report(DAY.minusDays(1), "a.test", 1);
            TlsRptReport kept = report(DAY, "a.test", 1);
            for (TlsRptReport r : List.of(old, kept)) {
                queue.addReport(r, NOW);
                queue.route(r.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW)), null);
                queue.markDayBuilt(r.day(), NOW);
            }

            assertThat(queue.purgeBefore(DAY)).isEqualTo(1);

            assertThat(queue.report(old.reportId())).isEmpty();
            assertThat(queue.dayBuilt(DAY.minusDays(1))).isFalse();
            assertThat(queue.dayBuilt(DAY)).isTrue();
            assertThat(queue.deliveries(DAY.minusDays(5))).extracting(QueuedDelivery::reportId)
                    .containsExactly(kept.reportId());
        }
    }

    @Test
    void stateSurvivesReopening() throws Exception {
        TlsRptReport report = report(DAY, "a.test", 1);
        try (DeliveryQueue queue = open()) {
            queue.addReport(report, NOW);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW)), "note");
        }
        try (DeliveryQueue queue = open()) {
            assertThat(queue.reports(DAY)).extracting(DeliveryQueue.StoredReport::note).containsExactly("note");
            assertThat(queue.due(NOW, Optional.of(DAY))).hasSize(1);
            assertThat(queue.due(NOW, Optional.of(DAY.plusDays(1)))).isEmpty();
        }
    }

    @Test
    void aLeaseIsHeldByOneOwnerRenewedByItAndTakenOverOnceExpired() throws Exception {
        try (DeliveryQueue mx1 = open(); DeliveryQueue mx2 = open()) {
            assertThat(mx1.tryLease("build 2026-11-28", "mx1", Duration.ofMinutes(5))).isTrue();
            assertThat(mx2.tryLease("build 2026-11-28", "mx2", Duration.ofMinutes(5))).isFalse();
            assertThat(mx1.tryLease("build 2026-11-28", "mx1", Duration.ofMinutes(5))).isTrue();
            assertThat(mx2.tryLease("build 2026-11-29", "mx2", Duration.ofMinutes(5))).isTrue();

            assertThat(mx1.tryLease("build 2026-11-28", "mx1", Duration.ZERO)).isTrue();
            assertThat(mx2.tryLease("build 2026-11-28", "mx2", Duration.ofMinutes(5))).isTrue();
            assertThat(mx1.tryLease("build 2026-11-28", "mx1", Duration.ofMinutes(5))).isFalse();
        }
    }

    @Test
    void ofManyInstancesRacingForOneLeaseExactlyOneWins() throws Exception {
        assertThat(race(8, (queue, i) -> queue.tryLease("build 2026-11-28", "mx" + i, Duration.ofMinutes(5))))
                .isEqualTo(1);
    }

    @Test
    void ofManyInstancesRacingToClaimOneRowExactlyOneWins() throws Exception {
        TlsRptReport report = report(DAY, "a.test", 1);
        QueuedDelivery seen;
        try (DeliveryQueue queue = open()) {
            queue.addReport(report, NOW);
            queue.route(report.reportId(), List.of(new DeliveryQueue.Due("mailto:x@a.test", NOW)), null);
            seen = queue.due(NOW, Optional.empty()).get(0);
        }

        assertThat(race(8, (queue, i) -> queue.claim(seen, NOW, NOW.plusSeconds(600)).isPresent())).isEqualTo(1);
        try (DeliveryQueue queue = open()) {
            assertThat(queue.deliveries(DAY).get(0).attempts()).isEqualTo(1);
        }
    }

    @Test
    void ofManyInstancesStoringTheSameReportExactlyOneStoresIt() throws Exception {
        assertThat(race(8, (queue, i) -> queue.addReport(report(DAY, "a.test", i + 1), NOW))).isEqualTo(1);
    }

    interface Contender {
        boolean tryIt(DeliveryQueue queue, int index) throws Exception;
    }

    /** Runs {@code contender} on {@code n} handles at once; returns how many succeeded. */
    private int race(int n, Contender contender) throws Exception {
        List<DeliveryQueue> queues = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int i = 0; i < n; i++) {
                queues.add(open());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                results.add(pool.submit((Callable<Boolean>) () -> {
                    start.await();
                    return contender.tryIt(queues.get(index), index);
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> result : results) {
                if (result.get()) {
                    won++;
                }
            }
            return won;
        } finally {
            pool.shutdownNow();
            for (DeliveryQueue queue : queues) {
                queue.close();
            }
        }
    }
}
