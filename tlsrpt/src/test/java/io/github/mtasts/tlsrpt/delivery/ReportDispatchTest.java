package io.github.mtasts.tlsrpt.delivery;

import io.github.mtasts.tlsrpt.report.Rfc8460Json;
import io.github.mtasts.tlsrpt.report.TlsRptReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static io.github.mtasts.tlsrpt.delivery.DispatchWorld.DAY;
import static org.assertj.core.api.Assertions.assertThat;

/** Build, route and deliver against real DNS, SMTP and HTTPS servers; the queue is the real SQLite one. */
class ReportDispatchTest {
    private static final Optional<LocalDate> ANY_DAY = Optional.empty();

    @TempDir
    Path dir;

    private DispatchWorld world;
    private SqliteDeliveryQueue queue;

    @BeforeEach
    void start() throws Exception {
        world = new DispatchWorld(dir);
        queue = SqliteDeliveryQueue.open(world.database);
    }

    @AfterEach
    void stop() {
        queue.close();
        world.close();
    }

    /** Recipient and Message-ID of every mail the relay accepted. */
    private List<String> received() {
        return Arrays.stream(world.mail().getReceivedMessages()).map(m -> {
            try {
                return m.getAllRecipients()[0] + " " + m.getMessageID();
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private List<String> recipientsReceived() {
        return received().stream().map(r -> r.substring(0, r.indexOf(' '))).toList();
    }

    private QueuedDelivery row(String destination) {
        return queue.deliveries(DAY).stream().filter(d -> d.destinationKey().equals(destination)).findFirst()
                .orElseThrow();
    }

    @Test
    void buildingADayTwiceStoresOneReportPerPolicyDomain() {
        ReportDispatch dispatch = world.dispatch(queue, world.sender());

        assertThat(dispatch.build(DAY, false)).isEqualTo(4);
        assertThat(dispatch.build(DAY, false)).isZero();

        assertThat(queue.reports(DAY)).extracting(DeliveryQueue.StoredReport::reportId).containsExactly(
                "2026-11-28_good.test@mail.example.net", "2026-11-28_none.test@mail.example.net",
                "2026-11-28_quiet.test@mail.example.net", "2026-11-28_web.test@mail.example.net");
        assertThat(queue.dayBuilt(DAY)).isTrue();
        TlsRptReport good = queue.report("2026-11-28_good.test@mail.example.net").orElseThrow();
        assertThat(Rfc8460Json.schemaViolations(Rfc8460Json.parse(good.json()))).isEmpty();
        assertThat(good.json()).contains("\"mode: enforce\"", "\"total-failure-session-count\":1",
                "\"result-type\":\"certificate-expired\"");
    }

    @Test
    void onlyFailuresLeavesOutDomainsWithoutFailedSessions() {
        world.dispatch(queue, world.sender()).build(DAY, true);

        assertThat(queue.reports(DAY)).extracting(DeliveryQueue.StoredReport::policyDomain)
                .containsExactly("good.test", "web.test");
    }

    @Test
    void everyDestinationGetsTheReportOnceHoweverOftenDeliveryRuns() throws Exception {
        ReportDispatch dispatch = world.dispatch(queue, world.sender());
        dispatch.build(DAY, false);
        assertThat(dispatch.route(DAY, Duration.ZERO)).isZero();

        assertThat(dispatch.deliverDue(ANY_DAY)).isEqualTo(4);
        dispatch.build(DAY, false);
        dispatch.route(DAY, Duration.ZERO);
        world.clock.advance(Duration.ofDays(1));
        assertThat(dispatch.deliverDue(ANY_DAY)).isZero();

        assertThat(recipientsReceived()).containsExactlyInAnyOrder("tlsrpt@good.test", "ops@good.test",
                "tlsrpt@quiet.test");
        byte[] post = world.posts.poll(10, TimeUnit.SECONDS);
        assertThat(post).isNotNull();
        assertThat(world.posts).isEmpty();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(post))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .contains("\"report-id\":\"2026-11-28_web.test@mail.example.net\"");
        }
        assertThat(queue.deliveries(DAY)).hasSize(4).allSatisfy(d -> {
            assertThat(d.state()).isEqualTo(QueuedDelivery.State.DELIVERED);
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.deliveredAt()).isNotNull();
        });
    }

    @Test
    void aDomainWithoutTlsRptRecordGetsNoDeliveryAndTheReasonIsKept() {
        ReportDispatch dispatch = world.dispatch(queue, world.sender());
        dispatch.build(DAY, false);
        dispatch.route(DAY, Duration.ZERO);

        DeliveryQueue.StoredReport none = queue.reports(DAY).stream()
                .filter(r -> r.policyDomain().equals("none.test")).findFirst().orElseThrow();
        assertThat(none.routed()).isTrue();
        assertThat(none.note()).contains("_smtp._tls.none.test");
        assertThat(queue.deliveries(DAY)).extracting(QueuedDelivery::policyDomain).doesNotContain("none.test");
    }

    @Test
    void deliveriesAreSpreadOverTheWindow() {
        ReportDispatch dispatch = world.dispatch(queue, world.sender());
        dispatch.build(DAY, false);
        dispatch.route(DAY, Duration.ofHours(4));

        assertThat(queue.deliveries(DAY)).hasSize(4).allSatisfy(d -> assertThat(d.nextAttempt())
                .isBetween(world.clock.instant(), world.clock.instant().plus(Duration.ofHours(4))));
        assertThat(queue.deliveries(DAY).stream().map(QueuedDelivery::nextAttempt).distinct()).hasSizeGreaterThan(1);
        assertThat(dispatch.deliverDue(ANY_DAY)).isLessThan(4);
        world.clock.advance(Duration.ofHours(4));
        dispatch.deliverDue(ANY_DAY);
        assertThat(queue.deliveries(DAY)).allSatisfy(d ->
                assertThat(d.state()).isEqualTo(QueuedDelivery.State.DELIVERED));
    }

    @Test
    void smtpDownIsRetriedAfterTheBackoffAndDeliveredOnce() throws Exception {
        ReportDispatch dispatch = world.dispatch(queue, world.sender());
        dispatch.build(DAY, true);
        dispatch.route(DAY, Duration.ZERO);
        world.stopMail();

        dispatch.deliverDue(ANY_DAY);
        QueuedDelivery failed = row("mailto:tlsrpt@good.test");
        assertThat(failed.state()).isEqualTo(QueuedDelivery.State.PENDING);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).isNotBlank();
        assertThat(failed.nextAttempt()).isEqualTo(world.clock.instant().plus(Duration.ofMinutes(5)));

        world.startMail();
        assertThat(dispatch.deliverDue(ANY_DAY)).as("not due before the backoff").isZero();
        world.clock.advance(Duration.ofMinutes(5));
        assertThat(dispatch.deliverDue(ANY_DAY)).isEqualTo(2);
        world.clock.advance(Duration.ofHours(1));
        assertThat(dispatch.deliverDue(ANY_DAY)).isZero();

        assertThat(recipientsReceived()).containsExactlyInAnyOrder("tlsrpt@good.test", "ops@good.test");
        assertThat(row("mailto:tlsrpt@good.test").attempts()).isEqualTo(2);
        assertThat(row("mailto:tlsrpt@good.test").state()).isEqualTo(QueuedDelivery.State.DELIVERED);
    }

    @Test
    void aDestinationFailingEveryAttemptIsGivenUpAfterMaxAttempts() {
        ReportDispatch dispatch = world.dispatch(queue, (report, destination, commitPoint) ->
                new DeliveryResult.RetryableFailure("relay says 451 try later"));
        dispatch.build(DAY, true);
        dispatch.route(DAY, Duration.ZERO);

        for (int i = 0; i < 5; i++) {
            dispatch.deliverDue(ANY_DAY);
            world.clock.advance(Duration.ofHours(1));
        }

        QueuedDelivery row = row("mailto:tlsrpt@good.test");
        assertThat(row.state()).isEqualTo(QueuedDelivery.State.FAILED);
        assertThat(row.attempts()).isEqualTo(DispatchWorld.RETRY.maxAttempts());
        assertThat(row.lastError()).isEqualTo("relay says 451 try later");
    }

    /** A live process always settles a row it marked sending: the relay's answer after the dot decides. */
    @Test
    void aRefusalAfterTheCommitPointReturnsTheRowToPendingOrFailed() {
        ReportDispatch dispatch = world.dispatch(queue, (report, destination, commitPoint) -> {
            assertThat(commitPoint.reached("Message-ID <x@y> via relay")).isTrue();
            return destination.key().startsWith("mailto:ops")
                    ? new DeliveryResult.PermanentFailure("554 rejected after DATA")
                    : new DeliveryResult.RetryableFailure("451 try later after DATA");
        });
        dispatch.build(DAY, true);
        dispatch.route(DAY, Duration.ZERO);

        dispatch.deliverDue(ANY_DAY);

        assertThat(row("mailto:ops@good.test").state()).isEqualTo(QueuedDelivery.State.FAILED);
        QueuedDelivery retried = row("mailto:tlsrpt@good.test");
        assertThat(retried.state()).isEqualTo(QueuedDelivery.State.PENDING);
        assertThat(retried.sendingDetail()).isNull();
        world.clock.advance(Duration.ofHours(1));
        assertThat(queue.due(world.clock.instant(), ANY_DAY)).extracting(QueuedDelivery::destinationKey)
                .contains("mailto:tlsrpt@good.test");
    }

    @Test
    void aPermanentRefusalIsNotRetried() {
        ReportDispatch dispatch = world.dispatch(queue, (report, destination, commitPoint) ->
                new DeliveryResult.PermanentFailure("550 no such user"));
        dispatch.build(DAY, true);
        dispatch.route(DAY, Duration.ZERO);

        dispatch.deliverDue(ANY_DAY);

        assertThat(row("mailto:ops@good.test").state()).isEqualTo(QueuedDelivery.State.FAILED);
        assertThat(row("mailto:ops@good.test").attempts()).isEqualTo(1);
    }

    /**
     * The process dies after the relay accepted the mail but before the delivered mark: the row was marked sending
     * at the commit point, so the restarted process (a new queue on the same file) never sends it again, even after
     * the lease; it is uncertain until the operator, having found the Message-ID in the relay's log, marks it
     * delivered.
     */
    @Test
    void crashAfterTheCommitPointLeavesTheRowUncertainAndNeverResendsIt() throws Exception {
        Deliverer real = world.sender();
        ReportDispatch crashing = world.dispatch(queue, (report, destination, commitPoint) -> {
            DeliveryResult accepted = real.send(report, destination, commitPoint);
            assertThat(accepted).isInstanceOf(DeliveryResult.Delivered.class);
            throw new IllegalStateException("killed after acceptance");
        });
        crashing.build(DAY, true);
        crashing.route(DAY, Duration.ZERO);
        QueuedDelivery first = queue.due(world.clock.instant(), ANY_DAY).get(0);
        assertThat(first.destinationKey()).isEqualTo("mailto:ops@good.test");
        try {
            crashing.deliverDue(ANY_DAY);
        } catch (IllegalStateException killed) {
            assertThat(killed).hasMessage("killed after acceptance");
        }
        queue.close();
        queue = SqliteDeliveryQueue.open(world.database);
        ReportDispatch restarted = world.dispatch(queue, real);

        assertThat(row(first.destinationKey()).state()).isEqualTo(QueuedDelivery.State.SENDING);
        assertThat(restarted.deliverDue(ANY_DAY)).as("other rows go out; the crashed one waits").isEqualTo(2);
        world.clock.advance(DispatchWorld.LEASE);
        assertThat(restarted.deliverDue(ANY_DAY)).isZero();
        world.clock.advance(Duration.ofDays(1));
        assertThat(restarted.deliverDue(ANY_DAY)).isZero();

        assertThat(recipientsReceived()).containsExactlyInAnyOrder("ops@good.test", "tlsrpt@good.test");
        assertThat(world.posts).hasSize(1);
        QueuedDelivery uncertain = row(first.destinationKey());
        assertThat(uncertain.uncertain(world.clock.instant())).isTrue();
        String messageId = received().stream().filter(r -> r.startsWith("ops@good.test ")).findFirst()
                .orElseThrow().substring("ops@good.test ".length());
        assertThat(uncertain.sendingDetail()).isEqualTo("Message-ID " + messageId + " via relay 127.0.0.1:"
                + world.mail().getSmtp().getPort());
        assertThat(queue.resolveUncertain(first.reportId(), first.destinationKey(),
                DeliveryQueue.Resolution.DELIVERED, world.clock.instant())).isTrue();
        assertThat(row(first.destinationKey()).state()).isEqualTo(QueuedDelivery.State.DELIVERED);
    }

    /**
     * An attempt so slow that its lease lapsed and another process delivered the row meanwhile is stopped at its
     * commit point: the relay gets the mail once.
     */
    @Test
    void anAttemptOvertakenAfterItsLeaseStopsAtTheCommitPoint() throws Exception {
        Deliverer real = world.sender();
        SqliteDeliveryQueue otherQueue = SqliteDeliveryQueue.open(world.database);
        try {
            ReportDispatch other = world.dispatch(otherQueue, real);
            List<DeliveryResult> slowResults = new java.util.ArrayList<>();
            ReportDispatch slow = world.dispatch(queue, (report, destination, commitPoint) -> {
                if (slowResults.isEmpty()) {
                    world.clock.advance(DispatchWorld.LEASE);
                    assertThat(other.deliverDue(ANY_DAY)).as("the other process takes every row over").isEqualTo(3);
                }
                DeliveryResult result = real.send(report, destination, commitPoint);
                slowResults.add(result);
                return result;
            });
            slow.build(DAY, true);
            slow.route(DAY, Duration.ZERO);

            assertThat(slow.deliverDue(ANY_DAY)).isZero();

            assertThat(slowResults).hasSize(1).allSatisfy(r -> {
                assertThat(r).isInstanceOf(DeliveryResult.RetryableFailure.class);
                assertThat(r.detail()).contains("no longer holds this attempt's claim");
            });
            assertThat(recipientsReceived()).containsExactlyInAnyOrder("ops@good.test", "tlsrpt@good.test");
            assertThat(world.posts).hasSize(1);
            assertThat(queue.deliveries(DAY)).allSatisfy(d ->
                    assertThat(d.state()).isEqualTo(QueuedDelivery.State.DELIVERED));
        } finally {
            otherQueue.close();
        }
    }

    /** Dying before the relay accepted anything costs an attempt and nothing else: one mail in the end. */
    @Test
    void crashBeforeAcceptanceDeliversOnceAfterTheLease() throws Exception {
        ReportDispatch crashing = world.dispatch(queue, (report, destination, commitPoint) -> {
            throw new IllegalStateException("killed before connecting");
        });
        crashing.build(DAY, true);
        crashing.route(DAY, Duration.ZERO);
        try {
            crashing.deliverDue(ANY_DAY);
        } catch (IllegalStateException killed) {
            assertThat(killed).hasMessage("killed before connecting");
        }
        queue.close();
        queue = SqliteDeliveryQueue.open(world.database);
        ReportDispatch restarted = world.dispatch(queue, world.sender());
        restarted.deliverDue(ANY_DAY);
        world.clock.advance(DispatchWorld.LEASE);
        restarted.deliverDue(ANY_DAY);

        assertThat(queue.deliveries(DAY)).allSatisfy(d ->
                assertThat(d.state()).isEqualTo(QueuedDelivery.State.DELIVERED));
        assertThat(recipientsReceived()).containsExactlyInAnyOrder("tlsrpt@good.test", "ops@good.test");
        assertThat(world.posts).hasSize(1);
    }

    @Test
    void twoProcessesSharingTheQueueDeliverEachRowOnce() throws Exception {
        ReportDispatch dispatch = world.dispatch(queue, world.sender());
        dispatch.build(DAY, false);
        dispatch.route(DAY, Duration.ZERO);
        try (SqliteDeliveryQueue other = SqliteDeliveryQueue.open(world.database)) {
            List<QueuedDelivery> seenByOther = other.due(world.clock.instant(), ANY_DAY);

            dispatch.deliverDue(ANY_DAY);
            for (QueuedDelivery row : seenByOther) {
                assertThat(other.claim(row, world.clock.instant(), world.clock.instant().plusSeconds(60))).isEmpty();
            }
        }
        assertThat(world.mail().getReceivedMessages()).hasSize(3);
    }

}
