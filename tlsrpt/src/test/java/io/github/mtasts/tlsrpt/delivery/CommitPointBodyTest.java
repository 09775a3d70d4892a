package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class CommitPointBodyTest {
    private static final byte[] BODY = {1, 2, 3, 4, 5};

    /** Records what the publisher hands over, requesting one chunk at a time from within onNext. */
    private static final class Collector implements Flow.Subscriber<ByteBuffer> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        Flow.Subscription subscription;
        Throwable error;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
        }

        @Override
        public void onNext(ByteBuffer item) {
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            bytes.writeBytes(chunk);
            events.add("chunk " + chunk.length);
            subscription.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
            error = throwable;
            events.add("error");
        }

        @Override
        public void onComplete() {
            events.add("complete");
        }
    }

    @Test
    void theLastByteFollowsThePassedCommitPoint() {
        Collector collector = new Collector();
        List<Integer> bytesBeforeCommitPoint = new ArrayList<>();
        CommitPointBody body = new CommitPointBody(BODY, detail -> {
            bytesBeforeCommitPoint.add(collector.bytes.size());
            collector.events.add("commit point " + detail);
            return true;
        }, "POST x");

        body.subscribe(collector);
        collector.subscription.request(1);

        assertThat(body.contentLength()).isEqualTo(5);
        assertThat(collector.bytes.toByteArray()).isEqualTo(BODY);
        assertThat(bytesBeforeCommitPoint).containsExactly(4);
        assertThat(collector.events).containsExactly("chunk 4", "commit point POST x", "chunk 1", "complete");
    }

    @Test
    void aRefusedCommitPointEndsTheBodyWithAnIoErrorWithoutTheLastByte() {
        Collector collector = new Collector();
        new CommitPointBody(BODY, detail -> false, "POST x").subscribe(collector);

        collector.subscription.request(Long.MAX_VALUE);

        assertThat(collector.bytes.size()).isEqualTo(4);
        assertThat(collector.events).containsExactly("chunk 4", "error");
        assertThat(collector.error).isInstanceOf(IOException.class).hasMessageContaining("claim");
    }

    @Test
    void aFailingCommitPointEndsTheBodyWithAnIoErrorNamingTheCause() {
        Collector collector = new Collector();
        new CommitPointBody(BODY, detail -> {
            throw new IllegalStateException("disk full");
        }, "POST x").subscribe(collector);

        collector.subscription.request(2);

        assertThat(collector.events).containsExactly("chunk 4", "error");
        assertThat(collector.error).isInstanceOf(IOException.class).hasMessageContaining("disk full");
    }

    @Test
    void aResubscriptionPassesTheCommitPointAgain() {
        List<String> calls = new ArrayList<>();
        CommitPointBody body = new CommitPointBody(BODY, detail -> calls.add(detail), "POST x");
        for (int i = 0; i < 2; i++) {
            Collector collector = new Collector();
            body.subscribe(collector);
            collector.subscription.request(1);
            assertThat(collector.bytes.toByteArray()).isEqualTo(BODY);
        }
        assertThat(calls).hasSize(2);
    }

    @Test
    void anEmptyBodyIsRefused() {
        assertThatThrownBy(() -> new CommitPointBody(new byte[0], detail -> true, "POST x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
