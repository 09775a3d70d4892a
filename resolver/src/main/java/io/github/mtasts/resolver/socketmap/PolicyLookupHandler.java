package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.text.LogSafe;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each request through the {@link SocketmapResponder}, strictly in request order (Postfix matches
 * answers to pipelined queries by position). Every request gets exactly one answer: the responder's, or
 * {@code NOTFOUND } when the responder throws, fails, returns null or misses the safety deadline. NOTFOUND is
 * what Postfix does without a policy map, so our own faults never block or defer mail.
 *
 * <p>All state is confined to the channel's event loop; responder stages may complete on any thread. The one
 * exception is {@link #idleSince()}, read by the server's accept path to find the connection to give up at the
 * connection limit.
 *
 * <p>A client that half-closes (shuts down its sending side) after its requests still gets every answer it
 * asked for; the connection closes after the last one.
 */
public final class PolicyLookupHandler extends ChannelInboundHandlerAdapter {

    static final String NOTFOUND = "NOTFOUND ";
    /** Postfix's dict_sockmap waits for each answer before the next query; only a misbehaving client gets here. */
    static final int MAX_PENDING = 128;

    private static final Logger log = LoggerFactory.getLogger(PolicyLookupHandler.class);

    private final SocketmapResponder responder;
    private final long deadlineNanos;
    private final ArrayDeque<Answer> answers = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean draining;
    /**
     * {@link System#nanoTime()} when the last answer owed was written, or {@link #BUSY} while one is owed. Written
     * on the event loop with release stores (plain stores on x86, no fence: two per request on the hit path), read
     * by the accept path of other event loops, which only needs a recent value: {@link #closeIfIdle()} checks
     * again on this event loop before closing.
     */
    @SuppressWarnings("unused") // through IDLE_SINCE
    private long idleSince = System.nanoTime();
    private final AtomicBoolean evicted = new AtomicBoolean();

    static final long BUSY = Long.MAX_VALUE;
    private static final VarHandle IDLE_SINCE;

    static {
        try {
            IDLE_SINCE = MethodHandles.lookup().findVarHandle(PolicyLookupHandler.class, "idleSince", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
            log.debug("{}: request without a space: {}", peer(ctx.channel()), LogSafe.escape(malformed.payload()));
            Answer answer = new Answer(malformed.payload());
            answers.add(answer);
            complete(answer, MalformedRequest.REPLY);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void lookUp(SocketmapRequest request) {
        IDLE_SINCE.setRelease(this, BUSY);
        Answer answer = new Answer(request.key());
        answers.add(answer);
        CompletionStage<String> stage;
        try {
            stage = responder.respond(request);
        } catch (RuntimeException e) {
            log.warn("responder failed for {}, answering NOTFOUND", LogSafe.escape(request), e);
            complete(answer, NOTFOUND);
            return;
        }
        if (stage == null) {
            log.warn("responder returned no answer for {}, answering NOTFOUND", LogSafe.escape(request));
            complete(answer, NOTFOUND);
            return;
        }
        if (stage instanceof CompletableFuture<String> done && done.isDone()) {
            // the hit path: the cache answered from memory, so no callback, no extra future and no timer
            settleDone(answer, request, done);
        } else {
            stage.whenComplete((reply, failure) -> {
                if (ctx.executor().inEventLoop()) {
                    settle(answer, request, reply, failure);
                } else {
                    ctx.executor().execute(() -> settle(answer, request, reply, failure));
                }
            });
            // a stage completing on another thread settles in a later event-loop task, after this timer exists,
            // and cancels it; one completing before whenComplete returned has settled already
            if (answer.reply == null) {
                answer.deadline = ctx.executor().schedule(() -> {
                    if (answer.reply == null) {
                        log.warn("no answer for {} within the safety deadline, answering NOTFOUND", LogSafe.escape(request));
                        complete(answer, NOTFOUND);
                    }
                }, deadlineNanos, TimeUnit.NANOSECONDS);
            }
        }
        if (answers.size() >= MAX_PENDING) {
            // a client that pipelines without reading answers must not grow our queue without bound
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void settleDone(Answer answer, SocketmapRequest request, CompletableFuture<String> done) {
        String reply;
        try {
            reply = done.join();
        } catch (CompletionException | CancellationException e) {
            settle(answer, request, null, e.getCause() != null ? e.getCause() : e);
            return;
        }
        settle(answer, request, reply, null);
    }

    private void settle(Answer answer, SocketmapRequest request, String reply, Throwable failure) {
        if (answer.reply != null) {
            return; // the deadline answered already
        }
        if (failure != null) {
            log.warn("lookup failed for {}, answering NOTFOUND", LogSafe.escape(request), failure);
            complete(answer, NOTFOUND);
        } else if (reply == null) {
            log.warn("responder completed with no reply for {}, answering NOTFOUND", LogSafe.escape(request));
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
            if (log.isDebugEnabled()) {
                log.debug("{}: {} -> {}", peer(ctx.channel()), LogSafe.escape(head.key), LogSafe.escape(head.reply));
            }
            ctx.write(head.reply, ctx.voidPromise());
            wrote = true;
        }
        if (answers.isEmpty()) {
            // before the flush: once the client has its answer, this connection must count as idle since then
            IDLE_SINCE.setRelease(this, System.nanoTime());
        }
        if (wrote) {
            ctx.flush();
        }
        if (answers.size() <= MAX_PENDING / 2 && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
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

    /**
     * When this connection last owed nothing; {@link #BUSY} while it owes an answer or is being closed for a new
     * connection. Any thread may ask.
     */
    long idleSince() {
        return evicted.get() ? BUSY : (long) IDLE_SINCE.getAcquire(this);
    }

    /**
     * Closes this connection to make room for a new one at the connection limit, unless another new connection
     * claimed it first (false). Any thread; the close happens on the event loop, and not at all if a request has
     * arrived meanwhile: an answer owed is never dropped.
     */
    boolean evict() {
        if ((long) IDLE_SINCE.getAcquire(this) == BUSY || !evicted.compareAndSet(false, true)) {
            return false;
        }
        ctx.executor().execute(this::closeIfIdle);
        return true;
    }

    private void closeIfIdle() {
        if (answers.isEmpty()) {
            log.debug("{}: closing the longest-idle connection for a new one at the connection limit",
                    peer(ctx.channel()));
            ctx.close();
        } else {
            evicted.set(false);
        }
    }

    /**
     * A client's half-close ends its requests, not the answers it is owed: they are written, then the connection
     * closes (the server sets ALLOW_HALF_CLOSURE so that the channel stays open for them).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            drain();
        }
        ctx.fireUserEventTriggered(evt);
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
            log.warn("closing connection from {}: malformed netstring: {}", peer(ctx.channel()),
                    LogSafe.escape(malformed.getMessage()));
        } else if (cause instanceof IOException) {
            // Postfix processes exit and reset their connections: routine, not worth a warning
            log.debug("closing connection from {}: {}", peer(ctx.channel()), cause.toString());
        } else {
            log.warn("closing connection from {}", peer(ctx.channel()), cause);
        }
        ctx.close();
    }

    /** The client for log lines: address and port over TCP; UNIX socket clients have no name, so the channel id. */
    static String peer(Channel channel) {
        SocketAddress remote = channel.remoteAddress();
        if (remote instanceof InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort() + " [" + channel.id().asShortText() + "]";
        }
        return "unix socket client [" + channel.id().asShortText() + "]";
    }
}
