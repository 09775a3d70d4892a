package io.github.mtasts.resolver.socketmap;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each request through the {@link SocketmapResponder}, strictly in request order (Postfix matches
 * answers to pipelined queries by position). Every request gets exactly one answer: the responder's, or
 * {@code NOTFOUND } when the responder throws, fails, returns null or misses the safety deadline. NOTFOUND is
 * what Postfix does without a policy map, so our own faults never block or defer mail.
 *
 * <p>All state is confined to the channel's event loop; responder stages may complete on any thread.
 */
public final class PolicyLookupHandler extends ChannelInboundHandlerAdapter {

    static final String NOTFOUND = "NOTFOUND ";

    private static final Logger log = LoggerFactory.getLogger(PolicyLookupHandler.class);

    private final SocketmapResponder responder;
    private final long deadlineNanos;
    private final ArrayDeque<Answer> answers = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean draining;

    /**
     * @param deadline longest wait for the responder before answering {@code NOTFOUND } ourselves; set it above
     *                 the responder's own timeout and below Postfix's socketmap timeout
     */
    public PolicyLookupHandler(SocketmapResponder responder, Duration deadline) {
        this.responder = Objects.requireNonNull(responder, "responder");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
        this.deadlineNanos = deadline.toNanos();
    }

    /** One request's place in the answer order. */
    private static final class Answer {
        final String key;
        String reply;
        ScheduledFuture<?> deadline;

        Answer(String key) {
            this.key = key;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof SocketmapRequest request) {
            lookUp(request);
        } else if (msg instanceof MalformedRequest malformed) {
            log.debug("{}: request without a space: {}", ctx.channel().remoteAddress(), malformed.payload());
            Answer answer = new Answer(malformed.payload());
            answers.add(answer);
            complete(answer, MalformedRequest.REPLY);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void lookUp(SocketmapRequest request) {
        Answer answer = new Answer(request.key());
        answers.add(answer);
        CompletionStage<String> stage;
        try {
            stage = responder.respond(request);
        } catch (RuntimeException e) {
            log.warn("responder failed for {}, answering NOTFOUND", request, e);
            complete(answer, NOTFOUND);
            return;
        }
        if (stage == null) {
            log.warn("responder returned no answer for {}, answering NOTFOUND", request);
            complete(answer, NOTFOUND);
            return;
        }
        answer.deadline = ctx.executor().schedule(() -> {
            if (answer.reply == null) {
                log.warn("no answer for {} within the safety deadline, answering NOTFOUND", request);
                complete(answer, NOTFOUND);
            }
        }, deadlineNanos, TimeUnit.NANOSECONDS);
        stage.whenComplete((reply, failure) -> {
            if (ctx.executor().inEventLoop()) {
                settle(answer, request, reply, failure);
            } else {
                ctx.executor().execute(() -> settle(answer, request, reply, failure));
            }
        });
    }

    private void settle(Answer answer, SocketmapRequest request, String reply, Throwable failure) {
        if (answer.reply != null) {
            return; // the deadline answered already
        }
        if (failure != null) {
            log.warn("lookup failed for {}, answering NOTFOUND", request, failure);
            complete(answer, NOTFOUND);
        } else if (reply == null) {
            log.warn("responder completed with no reply for {}, answering NOTFOUND", request);
            complete(answer, NOTFOUND);
        } else {
            complete(answer, reply);
        }
    }

    private void complete(Answer answer, String reply) {
        answer.reply = reply;
        if (answer.deadline != null) {
            answer.deadline.cancel(false);
        }
        boolean wrote = false;
        while (!answers.isEmpty() && answers.peek().reply != null) {
            Answer head = answers.poll();
            log.debug("{}: {} -> {}", ctx.channel().remoteAddress(), head.key, head.reply);
            ctx.write(head.reply, ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (draining && answers.isEmpty()) {
            closeAfterWrites();
        }
    }

    /** Writes complete in order, so this closes once every answer before it reached the socket. */
    private void closeAfterWrites() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Graceful shutdown of this connection: answers already requested are still written, then the connection
     * closes (at once when none are pending). Must run on the channel's event loop.
     */
    void drain() {
        draining = true;
        if (answers.isEmpty()) {
            closeAfterWrites();
        }
    }

    /** Requests read but not yet answered. */
    int pending() {
        return answers.size();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Answer answer : answers) {
            if (answer.deadline != null) {
                answer.deadline.cancel(false);
            }
        }
        answers.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof NetstringException malformed) {
            log.warn("closing connection from {}: malformed netstring: {}",
                    ctx.channel().remoteAddress(), malformed.getMessage());
        } else {
            log.info("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
