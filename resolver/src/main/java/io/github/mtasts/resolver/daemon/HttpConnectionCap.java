package io.github.mtasts.resolver.daemon;

import io.netty.channel.Channel;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} open connections on an {@link HttpEndpoint}, so that a side listener cannot use up the
 * descriptors the socketmap listener needs. As {@code SocketmapServer} does at {@code max_connections}, a new
 * connection is served and the longest-idle one closed (a scraper or browser reconnects); only when every
 * connection is being answered is the new one closed.
 *
 * <p>A connection is busy from a whole request to its answer. A half-sent request does not make it busy: the
 * clients we serve send a request in one packet, and a flood of half-sent requests must not hold the cap.
 *
 * <p>Confined to the listener's one event loop (connections are accepted, read and closed there), so the sets need
 * no locks; only the counters are read from other threads.
 */
final class HttpConnectionCap {

    private static final Logger LOG = LoggerFactory.getLogger(HttpConnectionCap.class);
    private static final long LOG_INTERVAL = TimeUnit.MINUTES.toNanos(1);

    private final int max;
    /** Longest-idle first: a connection moves to the end each time it has been answered. */
    private final LinkedHashSet<Channel> idle = new LinkedHashSet<>();
    private final Set<Channel> busy = new HashSet<>();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private long lastLog;
    private boolean logged;

    HttpConnectionCap(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("an HTTP connection cap below 1: " + max);
        }
        this.max = max;
    }

    /** A new connection: true to serve it; false when it has been closed because every connection is busy. */
    boolean admit(Channel connection) {
        if (idle.size() + busy.size() >= max) {
            Iterator<Channel> longestIdle = idle.iterator();
            if (!longestIdle.hasNext()) {
                refused.incrementAndGet();
                atCap();
                connection.close();
                return false;
            }
            Channel oldest = longestIdle.next();
            longestIdle.remove();
            oldest.close();
            evicted.incrementAndGet();
            atCap();
        }
        idle.add(connection);
        connection.closeFuture().addListener(f -> {
            idle.remove(connection);
            busy.remove(connection);
        });
        return true;
    }

    /** A whole request is being answered: the connection is not one to close for a new one. */
    void requestReceived(Channel connection) {
        if (idle.remove(connection)) {
            busy.add(connection);
        }
    }

    /** The answer went out: the connection is idle from now, the most recently idle one. */
    void answered(Channel connection) {
        if (busy.remove(connection) || idle.remove(connection)) {
            idle.add(connection);
        }
    }

    /** Idle connections closed for new ones since start. */
    long evicted() {
        return evicted.get();
    }

    /** New connections closed at once, every open one being busy, since start. */
    long refused() {
        return refused.get();
    }

    // at most one line a minute: a flood of connections must not become a flood of log lines
    private void atCap() {
        long now = System.nanoTime();
        if (logged && now - lastLog < LOG_INTERVAL) {
            return;
        }
        logged = true;
        lastLog = now;
        LOG.warn("{} HTTP connections open, the cap: closing the longest-idle one for each new connection, or the"
                + " new one while all are busy ({} idle closed and {} new refused since start)", max, evicted.get(),
                refused.get());
    }
}
