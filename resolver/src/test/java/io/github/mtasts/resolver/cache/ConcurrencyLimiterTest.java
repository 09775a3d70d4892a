package io.github.mtasts.resolver.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

    @Test
    void startsAtMostLimitTasksAndTheRestInOrderAsTheyComplete() throws Exception {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(2);
        List<CompletableFuture<Integer>> started = new ArrayList<>();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(limiter.submit(() -> {
                CompletableFuture<Integer> task = new CompletableFuture<>();
                started.add(task);
                return task;
            }));
        }
        assertThat(started).hasSize(2);

        started.get(1).complete(1);
        assertThat(started).hasSize(3);
        assertThat(results.get(1).get(10, TimeUnit.SECONDS)).isEqualTo(1);

        started.get(0).complete(0);
        started.get(2).complete(2);
        assertThat(started).hasSize(4);
        started.get(3).complete(3);
        assertThat(results.get(3).get(10, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void aTaskThatThrowsFailsItsResultAndFreesItsSlot() throws Exception {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);

        CompletableFuture<Integer> broken = limiter.submit(() -> {
            throw new IllegalStateException("cannot start");
        });
        CompletableFuture<Integer> next = limiter.submit(() -> CompletableFuture.completedFuture(7));

        assertThat(broken).isCompletedExceptionally();
        assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(7);
    }
}
