package io.github.mtasts.resolver.daemon;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 listener (Netty) serving a fixed set of handlers by path: the daemon's {@code /metrics} and
 * whatever pages its caller adds, such as the dashboard the {@code cli} module wires in (the resolver knows
 * nothing of TLSRPT). Public so the milter and reporter processes serve their own counters the same way.
 *
 * <p>No client can hold it up for others: the event loop only parses, authenticates and routes; each path's
 * handler runs on a thread of its own, so a slow page never delays a Prometheus scrape. A request must arrive
 * whole within {@link #REQUEST_TIMEOUT} of its first byte, a connection idle for {@link #IDLE_TIMEOUT} is closed,
 * and the request line, headers and body have fixed bounds. At most {@link #MAX_CONNECTIONS} connections are open
 * ({@link HttpConnectionCap}): the listener shares the process's descriptors with the socketmap listener.
 */
public final class HttpEndpoint implements AutoCloseable {

    /**
     * What a handler sees of a request; header names are matched without regard to case. The path is as sent,
     * still percent-encoded, so that a name in it may hold an encoded {@code /}.
     */
    public record Request(String method, String path, String rawQuery, Map<String, String> headers) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(rawQuery, "rawQuery");
            Map<String, String> lower = new LinkedHashMap<>();
            headers.forEach((name, value) -> lower.putIfAbsent(name.toLowerCase(Locale.ROOT), value));
            headers = Map.copyOf(lower);
        }

        /** The first value of a header. */
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /** A complete answer; the body is sent with its length. */
    public record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        public Response {
            headers = List.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }

        /** An empty body. */
        public static Response status(int status) {
            return new Response(status, List.of(), new byte[0]);
        }

        public static Response of(int status, String contentType, byte[] body) {
            return new Response(status, List.of(Map.entry("Content-Type", contentType)), body);
        }

        public Response withHeader(String name, String value) {
            List<Map.Entry<String, String>> more = new ArrayList<>(headers);
            more.add(Map.entry(name, value));
            return new Response(status, more, body);
        }
    }

    /** Serves the requests for one path; runs on the listener's executor, never on its event loop. */
    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    /** From the first byte of a request to its last: a browser or Prometheus sends a GET in one packet. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Prometheus scrapes every 15 s by default and reconnects when it finds the connection closed. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    static final int MAX_REQUEST_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    /** Nothing here takes a body; a small one is tolerated, a larger one answered 413. */
    static final int MAX_BODY = 8192;
    /** Requests waiting for a path's thread; beyond it 503, so a flood cannot queue work without bound. */
    private static final int QUEUE = 16;
    /**
     * Prometheus holds one connection, a browser about six per dashboard tab: 64 serves several of each, and is a
     * small share of the daemon unit's 8192 descriptors (LimitNOFILE), which the socketmap listener needs.
     */
    static final int MAX_CONNECTIONS = 64;

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final Map<String, Route> routes;
    private final HttpConnectionCap cap;

    private HttpEndpoint(EventLoopGroup group, Channel listener, Map<String, Route> routes, HttpConnectionCap cap) {
        this.group = group;
        this.listener = listener;
        this.routes = routes;
        this.cap = cap;
    }

    /** A path's handler and the one thread that runs it. */
    private record Route(Handler handler, ThreadPoolExecutor executor) {
        static Route of(String path, Handler handler) {
            Objects.requireNonNull(handler, "handler");
            return new Route(handler, new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(QUEUE), r -> {
                        Thread thread = new Thread(r, "http" + (path.equals("/") ? "-root" : path.replace('/', '-')));
                        thread.setDaemon(true);
                        return thread;
                    }));
        }
    }

    /** {@link #start(String, int, HttpAccess, Map)} open to everyone: only on a loopback address. */
    public static HttpEndpoint start(String host, int port, Map<String, Handler> handlers) throws IOException {
        return start(host, port, HttpAccess.OPEN, handlers);
    }

    /**
     * Binds {@code host:port} and serves {@code handlers}; a request goes to the handler of the longest path that
     * is its path or a parent of it ({@code /} takes every path), so a handler at {@code /} must answer 404 for
     * paths it does not know. Every request must satisfy {@code access}.
     *
     * @throws IllegalArgumentException when {@code host} is not a loopback address and {@code access} is open: the
     *                                  configuration check should have refused it, naming the key
     */
    public static HttpEndpoint start(String host, int port, HttpAccess access, Map<String, Handler> handlers)
            throws IOException {
        return start(host, port, access, handlers, REQUEST_TIMEOUT, MAX_CONNECTIONS);
    }

    /** @param requestTimeout {@link #REQUEST_TIMEOUT} except in tests */
    static HttpEndpoint start(String host, int port, HttpAccess access, Map<String, Handler> handlers,
                              Duration requestTimeout) throws IOException {
        return start(host, port, access, handlers, requestTimeout, MAX_CONNECTIONS);
    }

    /** @param maxConnections {@link #MAX_CONNECTIONS} except in tests */
    static HttpEndpoint start(String host, int port, HttpAccess access, Map<String, Handler> handlers,
                              Duration requestTimeout, int maxConnections) throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(access, "access");
        if (handlers.isEmpty()) {
            throw new IllegalArgumentException("an HTTP listener without handlers");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IOException("cannot listen on " + host + ":" + port + ": unknown host");
        }
        if (!access.requiresAuth() && !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("an HTTP listener on " + host + ", which is not a loopback address,"
                    + " needs credentials");
        }
        Map<String, Route> routes = new LinkedHashMap<>();
        handlers.forEach((path, handler) -> routes.put(path, Route.of(path, handler)));
        HttpConnectionCap cap = new HttpConnectionCap(maxConnections);
        // one event loop: HttpConnectionCap relies on it
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ChannelFuture bind = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!cap.admit(ch)) {
                            return;
                        }
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, IDLE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS),
                                new RequestDeadline(requestTimeout),
                                new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, MAX_BODY),
                                new HttpObjectAggregator(MAX_BODY),
                                // pipelined requests decoded from one read wait here while reading is paused
                                new FlowControlHandler(),
                                new Dispatcher(routes, access, cap));
                    }
                })
                .bind(address).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            routes.values().forEach(route -> route.executor().shutdownNow());
            throw new IOException("cannot listen on " + host + ":" + port + ": " + bind.cause().getMessage(),
                    bind.cause());
        }
        return new HttpEndpoint(group, bind.channel(), routes, cap);
    }

    /** {@code GET} the registry's meters in the Prometheus text format. */
    public static Handler prometheus(PrometheusMeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return request -> {
            if (!"GET".equals(request.method())) {
                return Response.status(405);
            }
            return Response.of(200, "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape().getBytes(StandardCharsets.UTF_8));
        };
    }

    /** Counts in {@code registry} the connections closed at the {@linkplain #MAX_CONNECTIONS cap}. */
    public void registerMetrics(MeterRegistry registry) {
        String description = "HTTP connections closed at the connection cap: the longest-idle one for a new"
                + " connection (closed_idle), or the new one while all were busy (refused_new)";
        FunctionCounter.builder("mtasts_http_connections_capped", cap, HttpConnectionCap::evicted)
                .tag("action", "closed_idle").description(description).register(registry);
        FunctionCounter.builder("mtasts_http_connections_capped", cap, HttpConnectionCap::refused)
                .tag("action", "refused_new").description(description).register(registry);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        routes.values().forEach(route -> route.executor().shutdownNow());
    }

    /** The route of the longest path that is the request's path or a parent of it. */
    static <R> Optional<R> route(Map<String, R> routes, String path) {
        String best = null;
        for (String prefix : routes.keySet()) {
            boolean matches = prefix.equals("/") || path.equals(prefix)
                    || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
            if (matches && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return Optional.ofNullable(best).map(routes::get);
    }

    /**
     * Closes a connection whose request has begun and not ended within {@link #REQUEST_TIMEOUT}: the header size
     * bound alone would let a client trickle a byte at a time for hours. Counts from the first byte after the
     * previous response; {@link Dispatcher} reports each whole request.
     */
    static final class RequestDeadline extends ChannelInboundHandlerAdapter {
        private final Duration timeout;
        private ScheduledFuture<?> deadline;
        private boolean inRequest;

        RequestDeadline(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!inRequest) {
                inRequest = true;
                deadline = ctx.executor().schedule(() -> {
                    LOG.debug("closing HTTP connection from {}: request unfinished after {} ms",
                            ctx.channel().remoteAddress(), timeout.toMillis());
                    ctx.close();
                }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            ctx.fireChannelRead(msg);
        }

        /** The request is whole: the deadline no longer applies (its handler may take longer). */
        void requestReceived() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        /** The response went out: the next byte starts the next request's clock. */
        void responseSent() {
            inRequest = false;
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            requestReceived();
        }
    }

    /**
     * Routes each whole request to its handler on the executor and writes the answer back, one request at a time
     * per connection (reading pauses meanwhile, so pipelined requests are answered in order).
     */
    private static final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Map<String, Route> routes;
        private final HttpAccess access;
        private final HttpConnectionCap cap;
        private boolean busy;

        Dispatcher(Map<String, Route> routes, HttpAccess access, HttpConnectionCap cap) {
            this.routes = routes;
            this.access = access;
            this.cap = cap;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest message) {
            RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
            deadline.requestReceived();
            boolean keepAlive = HttpUtil.isKeepAlive(message);
            if (!message.decoderResult().isSuccess()) {
                // an over-long request line or headers, or garbage: the framing is lost, so close after the answer
                respond(ctx, Response.status(message.decoderResult().cause() instanceof
                        TooLongFrameException ? 431 : 400), false);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(message.uri());
            int query = message.uri().indexOf('?');
            Map<String, String> headers = new LinkedHashMap<>();
            message.headers().forEach(header -> headers.putIfAbsent(header.getKey().toLowerCase(Locale.ROOT),
                    header.getValue()));
            Request request = new Request(message.method().name(), uri.rawPath(),
                    query < 0 ? "" : message.uri().substring(query + 1), headers);
            if (!access.permits(request)) {
                respond(ctx, access.unauthorized(), keepAlive);
                return;
            }
            Optional<Route> route = route(routes, request.path());
            if (route.isEmpty()) {
                respond(ctx, Response.status(404), keepAlive);
                return;
            }
            busy = true;
            cap.requestReceived(ctx.channel());
            ctx.channel().config().setAutoRead(false);
            try {
                route.get().executor().execute(() -> {
                    Response response;
                    try {
                        response = route.get().handler().handle(request);
                    } catch (Exception | Error e) {
                        LOG.error("HTTP {} {} failed", request.method(), request.path(), e);
                        response = Response.status(500);
                    }
                    Response answer = response;
                    try {
                        ctx.executor().execute(() -> respond(ctx, answer, keepAlive));
                    } catch (RejectedExecutionException closing) {
                        // the listener is shutting down; the connection goes with it
                    }
                });
            } catch (RejectedExecutionException e) {
                respond(ctx, Response.status(503).withHeader("Retry-After", "1"), keepAlive);
            }
        }

        private void respond(ChannelHandlerContext ctx, Response response, boolean keepAlive) {
            busy = false;
            cap.answered(ctx.channel());
            FullHttpResponse message = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(response.body()));
            response.headers().forEach(header -> message.headers().add(header.getKey(), header.getValue()));
            HttpUtil.setContentLength(message, response.body().length);
            if (keepAlive) {
                message.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            } else {
                message.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ChannelFuture written = ctx.writeAndFlush(message);
            RequestDeadline deadline = ctx.pipeline().get(RequestDeadline.class);
            if (deadline != null) {
                deadline.responseSent();
            }
            if (keepAlive) {
                ctx.channel().config().setAutoRead(true);
            } else {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** An idle connection is closed, unless its request is still being answered. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && !busy) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("closing HTTP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
