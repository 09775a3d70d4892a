package io.github.mtasts.resolver.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DiscoveryResult;
import io.github.mtasts.resolver.discovery.PolicyDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@link PolicyDiscovery} under the test's control: it records every call and either answers at once (after
 * {@link #answerWith}) or leaves the call pending until the test completes it.
 */
final class FakeDiscovery implements PolicyDiscovery {

    /** One discover() call; completing it counts it as no longer outstanding before any dependent runs. */
    final class Call {
        private final String domain;
        private final String knownTxtId;
        private final CompletableFuture<DiscoveryResult> result = new CompletableFuture<>();

        private Call(String domain, String knownTxtId) {
            this.domain = domain;
            this.knownTxtId = knownTxtId;
        }

        String domain() {
            return domain;
        }

        String knownTxtId() {
            return knownTxtId;
        }

        void complete(DiscoveryResult answer) {
            finished();
            result.complete(answer);
        }

        void fail(Throwable error) {
            finished();
            result.completeExceptionally(error);
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final BlockingQueue<Call> pending = new LinkedBlockingQueue<>();
    private volatile Function<Call, DiscoveryResult> autoAnswer;
    private int outstanding;
    private int maxOutstanding;

    /** Answer every later call at once with {@code answer}. */
    void answerWith(Function<Call, DiscoveryResult> answer) {
        autoAnswer = answer;
    }

    /** Leave later calls pending until the test completes them. */
    void holdCalls() {
        autoAnswer = null;
    }

    @Override
    public CompletableFuture<DiscoveryResult> discover(String domain, String knownTxtId) {
        Call call = new Call(domain, knownTxtId);
        synchronized (this) {
            calls.add(call);
            outstanding++;
            maxOutstanding = Math.max(maxOutstanding, outstanding);
            notifyAll();
        }
        Function<Call, DiscoveryResult> answer = autoAnswer;
        if (answer != null) {
            call.complete(answer.apply(call));
        } else {
            pending.add(call);
        }
        return call.result;
    }

    private synchronized void finished() {
        outstanding--;
    }

    /** The next call left pending; fails the test when none arrives within 10 s (a hang guard, not a timing check). */
    Call nextPending() throws InterruptedException {
        Call call = pending.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("a pending discovery call").isNotNull();
        return call;
    }

    /** Waits until {@code count} calls are outstanding at once; fails the test after 10 s (a hang guard). */
    synchronized void awaitOutstanding(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (outstanding < count) {
            long left = deadline - System.nanoTime();
            assertThat(left).as("%d discovery calls outstanding at once", count).isPositive();
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    int pendingCount() {
        return pending.size();
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized int callCount() {
        return calls.size();
    }

    synchronized int maxOutstanding() {
        return maxOutstanding;
    }
}
