package io.github.mtasts.tlsrpt.schedule;

import io.github.mtasts.tlsrpt.config.ReportSettings;
import io.github.mtasts.tlsrpt.delivery.DispatchWorld;
import io.github.mtasts.tlsrpt.delivery.MailSettings;
import io.github.mtasts.tlsrpt.delivery.QueuedDelivery;
import io.github.mtasts.tlsrpt.delivery.SqliteDeliveryQueue;
import io.github.mtasts.tlsrpt.report.ReporterSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;

import static io.github.mtasts.tlsrpt.delivery.DispatchWorld.DAY;
import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's ticks over a moved clock, with real DNS, SMTP and HTTPS. */
class TlsRptServiceTest {
    private static final Duration WINDOW = Duration.ofHours(2);
    private static final Duration LATE = Duration.ofMinutes(30);

    @TempDir
    Path dir;

    private DispatchWorld world;
    private SqliteDeliveryQueue queue;
    private TlsRptService service;

    @BeforeEach
    void start() throws Exception {
        world = new DispatchWorld(dir);
        queue = SqliteDeliveryQueue.open(world.database);
        MailSettings mail = world.mailSettings();
        ReportSettings settings = new ReportSettings(new ReporterSettings("Example Mail", "tlsrpt@mail.example.net",
                "mail.example.net"), mail, Duration.ofSeconds(10), WINDOW, DispatchWorld.RETRY, 3, LATE, false);
        service = new TlsRptService(world.dispatch(queue, world.sender()), queue, settings, "mx1", world.clock);
    }

    @AfterEach
    void stop() {
        queue.close();
        world.close();
    }

    @Test
    void aDayIsBuiltOnlyAfterItEndedAndTheLateLinesDelayPassed() {
        world.clock.set(DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(LATE).minusSeconds(1));
        service.tick();
        assertThat(queue.dayBuilt(DAY)).isFalse();
        assertThat(queue.reports(DAY)).isEmpty();

        world.clock.advance(Duration.ofSeconds(1));
        service.tick();

        assertThat(queue.dayBuilt(DAY)).isTrue();
        assertThat(queue.reports(DAY)).hasSize(4).allSatisfy(r -> assertThat(r.routed()).isTrue());
        assertThat(queue.deliveries(DAY)).hasSize(4).allSatisfy(d -> assertThat(d.nextAttempt())
                .isBetween(world.clock.instant(), world.clock.instant().plus(WINDOW)));
    }

    @Test
    void ticksWithinTheWindowDeliverEveryDestinationOnce() {
        world.clock.set(DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(LATE));
        for (int minute = 0; minute <= WINDOW.toMinutes() + 10; minute += 10) {
            service.tick();
            world.clock.advance(Duration.ofMinutes(10));
        }

        assertThat(queue.deliveries(DAY)).hasSize(4).allSatisfy(d -> {
            assertThat(d.state()).isEqualTo(QueuedDelivery.State.DELIVERED);
            assertThat(d.attempts()).isEqualTo(1);
        });
        assertThat(world.mail().getReceivedMessages()).hasSize(3);
        assertThat(world.posts).hasSize(1);
    }

    @Test
    void aDayWhoseBuildLeaseAnotherInstanceHoldsIsLeftToIt() {
        world.clock.set(DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(LATE));
        assertThat(queue.tryLease(TlsRptService.buildLease(DAY), "mx2", Duration.ofHours(1))).isTrue();

        service.tick();

        assertThat(queue.dayBuilt(DAY)).isFalse();
        assertThat(queue.reports(DAY)).isEmpty();
        assertThat(queue.dayBuilt(DAY.minusDays(1))).as("other days are not held").isTrue();
    }

    @Test
    void daysPastRetentionArePurgedAndNeverBuiltAgain() {
        world.clock.set(DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(LATE));
        service.tick();
        assertThat(queue.reports(DAY)).hasSize(4);

        world.clock.set(DAY.plusDays(3).atTime(12, 0).toInstant(ZoneOffset.UTC));
        service.tick();

        assertThat(queue.reports(DAY)).isEmpty();
        assertThat(queue.dayBuilt(DAY)).isFalse();
        assertThat(queue.deliveries(DAY.minusDays(30))).isEmpty();
    }

    @Test
    void runReturnsOnceStopped() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        stop.countDown();

        service.run(Duration.ofHours(1), stop);

        assertThat(queue.dayBuilt(DAY)).as("one tick ran before stopping").isTrue();
    }
}
