package io.github.mtasts.tlsrpt.delivery;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A POST body whose last byte is handed to the HttpClient only after the {@link CommitPoint} passed: a receiver
 * cannot have the whole report before then, so an attempt stopped there cannot have delivered. A refused or failing
 * commit point ends the body with an {@link IOException}, which fails the request.
 */
final class CommitPointBody implements HttpRequest.BodyPublisher {
    private final byte[] body;
    private final CommitPoint commitPoint;
    private final String detail;

    CommitPointBody(byte[] body, CommitPoint commitPoint, String detail) {
        if (body.length == 0) {
            throw new IllegalArgumentException("an empty body has no last byte to hold back");
        }
        this.body = body.clone();
        this.commitPoint = Objects.requireNonNull(commitPoint, "commitPoint");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    @Override
    public long contentLength() {
        return body.length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscriber.onSubscribe(new Chunks(subscriber));
    }

    /** Two chunks, all but the last byte, then the last byte; serialised, since onNext may call request again. */
    private final class Chunks implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger work = new AtomicInteger();
        private int sent;
        private volatile boolean done;

        Chunks(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                fail(new IllegalArgumentException("non-positive request " + n + " (Reactive Streams rule 3.9)"));
                return;
            }
            demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            if (work.getAndIncrement() != 0) {
                return;
            }
            do {
                while (!done && sent < 2 && demand.get() > 0) {
                    if (sent == 1 && !commitPointPassed()) {
                        return;
                    }
                    ByteBuffer chunk = sent == 0 ? ByteBuffer.wrap(body, 0, body.length - 1)
                            : ByteBuffer.wrap(body, body.length - 1, 1);
                    sent++;
                    demand.decrementAndGet();
                    subscriber.onNext(chunk);
                }
                if (!done && sent == 2) {
                    done = true;
                    subscriber.onComplete();
                }
            } while (work.decrementAndGet() != 0);
        }

        private boolean commitPointPassed() {
            try {
                if (commitPoint.reached(detail)) {
                    return true;
                }
                fail(new IOException("stopped before the last byte: the delivery queue no longer holds this"
                        + " attempt's claim"));
            } catch (RuntimeException e) {
                fail(new IOException("stopped before the last byte: recording the attempt failed: "
                        + e.getMessage(), e));
            }
            return false;
        }

        private void fail(Throwable error) {
            if (!done) {
                done = true;
                subscriber.onError(error);
            }
        }

        @Override
        public void cancel() {
            done = true;
        }
    }
}
