package io.github.mtasts.resolver.socketmap;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PolicyLookupHandlerTest {

    private static final Duration DEADLINE = Duration.ofSeconds(5);

    /** Hands out one future per key; the test completes them in whatever order it wants. */
    private final Map<String, CompletableFuture<String>> lookups = new HashMap<>();
    private final SocketmapResponder controllable = request -> lookups.computeIfAbsent(request.key(),
            k -> new CompletableFuture<>());

    @Test
    void answersPipelinedRequestsInRequestOrderWhenLaterOnesCompleteFirst() {
        EmbeddedChannel channel = channel(controllable);
        channel.writeInbound(request("a.example"), request("b.example"), request("c.example"));
        lookups.get("c.example").complete("OK c");
        lookups.get("b.example").complete("OK b");
        channel.runPendingTasks();
        assertThat(channel.<Object>readOutbound()).isNull();
        lookups.get("a.example").complete("OK a");
        channel.runPendingTasks();
        assertThat(replies(channel)).containsExactly("OK a", "OK b", "OK c");
    }

    @Test
    void answerCompletedAlreadyIsWrittenAtOnce() {
        EmbeddedChannel channel = channel(request -> CompletableFuture.completedFuture("OK secure match=mx.example"));
        channel.writeInbound(request("example.com"));
        assertThat(replies(channel)).containsExactly("OK secure match=mx.example");
    }

    @Test
    void answerCompletedAlreadySchedulesNoDeadline() {
        EmbeddedChannel channel = channel(request -> CompletableFuture.completedFuture("OK secure"));
        channel.writeInbound(request("example.com"));
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
    }

    @Test
    void clientPipeliningWithoutLimitIsPausedUntilAnswersCatchUp() {
        EmbeddedChannel channel = channel(controllable);
        for (int i = 0; i < PolicyLookupHandler.MAX_PENDING; i++) {
            channel.writeInbound(request("host" + i + ".example"));
        }
        assertThat(channel.config().isAutoRead()).isFalse();
        for (int i = 0; i < PolicyLookupHandler.MAX_PENDING; i++) {
            lookups.get("host" + i + ".example").complete("OK " + i);
        }
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(replies(channel)).hasSize(PolicyLookupHandler.MAX_PENDING).startsWith("OK 0", "OK 1");
    }

    @Test
    void responderThrowingIsAnsweredNotFound() {
        EmbeddedChannel channel = channel(request -> {
            throw new IllegalStateException("bug in the responder");
        });
        channel.writeInbound(request("example.com"));
        assertThat(replies(channel)).containsExactly("NOTFOUND ");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void failedLookupIsAnsweredNotFound() {
        EmbeddedChannel channel = channel(controllable);
        channel.writeInbound(request("example.com"));
        lookups.get("example.com").completeExceptionally(new RuntimeException("store down"));
        channel.runPendingTasks();
        assertThat(replies(channel)).containsExactly("NOTFOUND ");
    }

    @Test
    void lookupFailedAlreadyIsAnsweredNotFoundAndTheConnectionStaysOpen() {
        EmbeddedChannel channel = channel(request -> CompletableFuture.failedFuture(new RuntimeException("store down")));
        channel.writeInbound(request("example.com"));
        assertThat(replies(channel)).containsExactly("NOTFOUND ");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void cachedAnswersBehindASlowOneWaitForItsTurnAndPausePipelining() {
        CompletableFuture<String> slow = new CompletableFuture<>();
        EmbeddedChannel channel = channel(request -> request.key().equals("slow.example")
                ? slow : CompletableFuture.completedFuture("OK " + request.key()));
        channel.writeInbound(request("slow.example"));
        for (int i = 1; i < PolicyLookupHandler.MAX_PENDING; i++) {
            channel.writeInbound(request("host" + i + ".example"));
        }
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(channel.config().isAutoRead()).isFalse();

        slow.complete("OK slow");
        channel.runPendingTasks();

        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(replies(channel)).hasSize(PolicyLookupHandler.MAX_PENDING)
                .startsWith("OK slow", "OK host1.example", "OK host2.example");
    }

    @Test
    void nullStageOrNullReplyIsAnsweredNotFound() {
        EmbeddedChannel channel = channel(request -> request.key().equals("null-stage")
                ? null : CompletableFuture.completedFuture(null));
        channel.writeInbound(request("null-stage"), request("null-reply"));
        assertThat(replies(channel)).containsExactly("NOTFOUND ", "NOTFOUND ");
    }

    @Test
    void lookupNeverCompletingIsAnsweredNotFoundAtTheDeadline() {
        EmbeddedChannel channel = channel(controllable);
        channel.writeInbound(request("hanging.example"), request("fast.example"));
        lookups.get("fast.example").complete("OK fast");
        channel.runPendingTasks();
        assertThat(channel.<Object>readOutbound()).isNull();
        channel.advanceTimeBy(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(replies(channel)).containsExactly("NOTFOUND ", "OK fast");
    }

    @Test
    void lateCompletionAfterTheDeadlineWritesNothingMore() {
        EmbeddedChannel channel = channel(controllable);
        channel.writeInbound(request("slow.example"));
        channel.advanceTimeBy(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        lookups.get("slow.example").complete("OK late");
        channel.runPendingTasks();
        assertThat(replies(channel)).containsExactly("NOTFOUND ");
    }

    @Test
    void answerBeforeTheDeadlineCancelsIt() {
        EmbeddedChannel channel = channel(controllable);
        channel.writeInbound(request("example.com"));
        lookups.get("example.com").complete("OK secure");
        channel.runPendingTasks();
        channel.advanceTimeBy(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(replies(channel)).containsExactly("OK secure");
    }

    @Test
    void requestWithoutSpaceGetsPermInItsTurnAndTheConnectionStaysOpen() {
        EmbeddedChannel channel = channel(controllable);
        channel.writeInbound(request("first.example"), new MalformedRequest("nospace"), request("last.example"));
        lookups.get("last.example").complete("OK last");
        lookups.get("first.example").complete("OK first");
        channel.runPendingTasks();
        assertThat(replies(channel)).containsExactly(
                "OK first", "PERM malformed request: expected \"<name> <key>\"", "OK last");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void malformedNetstringClosesTheConnectionWithALogLine() {
        Logger logger = (Logger) LoggerFactory.getLogger(PolicyLookupHandler.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            EmbeddedChannel channel = new EmbeddedChannel(new NetstringDecoder(100), new SocketmapRequestDecoder(),
                    new PolicyLookupHandler(controllable, DEADLINE));
            channel.writeInbound(Unpooled.copiedBuffer("07:postfix,", US_ASCII));
            assertThat(channel.isActive()).isFalse();
            assertThat(lookups).isEmpty();
            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).startsWith("closing connection from ")
                        .contains("malformed netstring");
            });
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void drainingWritesPendingAnswersThenCloses() {
        EmbeddedChannel channel = channel(controllable);
        PolicyLookupHandler handler = channel.pipeline().get(PolicyLookupHandler.class);
        channel.writeInbound(request("a.example"), request("b.example"));
        handler.drain();
        lookups.get("b.example").complete("OK b");
        channel.runPendingTasks();
        assertThat(channel.isActive()).isTrue();
        lookups.get("a.example").complete("OK a");
        channel.runPendingTasks();
        assertThat(channel.isActive()).isFalse();
        assertThat(replies(channel)).containsExactly("OK a", "OK b");
    }

    @Test
    void drainingAnIdleConnectionClosesIt() {
        EmbeddedChannel channel = channel(controllable);
        channel.pipeline().get(PolicyLookupHandler.class).drain();
        channel.runPendingTasks();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void halfCloseByTheClientWritesTheAnswersOwedThenCloses() {
        EmbeddedChannel channel = channel(controllable);
        channel.writeInbound(request("a.example"));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        channel.runPendingTasks();
        assertThat(channel.isActive()).isTrue();

        lookups.get("a.example").complete("OK a");
        channel.runPendingTasks();

        assertThat(replies(channel)).containsExactly("OK a");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void connectionOwingAnAnswerIsNeitherIdleNorEvicted() {
        EmbeddedChannel channel = channel(controllable);
        PolicyLookupHandler handler = channel.pipeline().get(PolicyLookupHandler.class);
        channel.writeInbound(request("a.example"));

        assertThat(handler.idleSince()).isEqualTo(PolicyLookupHandler.BUSY);
        assertThat(handler.evict()).isFalse();

        lookups.get("a.example").complete("OK a");
        channel.runPendingTasks();
        assertThat(handler.idleSince()).isNotEqualTo(PolicyLookupHandler.BUSY);
        assertThat(handler.evict()).isTrue();
        assertThat(handler.evict()).as("claimed once").isFalse();
        channel.runPendingTasks();
        assertThat(channel.isActive()).isFalse();
    }

    private static EmbeddedChannel channel(SocketmapResponder responder) {
        return new EmbeddedChannel(new PolicyLookupHandler(responder, DEADLINE));
    }

    private static SocketmapRequest request(String key) {
        return new SocketmapRequest("postfix", key);
    }

    /** The answers written so far; the empty buffer of a graceful close is not an answer. */
    private static java.util.List<String> replies(EmbeddedChannel channel) {
        java.util.List<String> replies = new java.util.ArrayList<>();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (out instanceof String reply) {
                replies.add(reply);
            } else {
                ((ByteBuf) out).release();
            }
        }
        return replies;
    }
}
