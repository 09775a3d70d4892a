package io.github.mtasts.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop socketmap client, the way Postfix's smtp processes use a socketmap: each of N persistent
 * connections sends one request, waits for its reply, and sends the next. A few threads, each with its own
 * selector, drive all connections, so that at hundreds of connections the client costs a few threads rather than
 * hundreds. Latency is measured from just before the request is written to the moment its reply is complete.
 *
 * <p>Requests completed during the warm-up are not counted; the run stops by itself after warm-up + duration, and
 * requests still in flight then are dropped.
 */
public final class SocketmapLoad {

    /** Longest latency the histogram can hold, in microseconds; longer ones are clamped to it. */
    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(5);

    private final InetSocketAddress target;
    private final int connections;
    private final int threads;
    private final KeyCycle keys;
    private final byte[] expectPrefix;

    /**
     * @param expectPrefix when not null, a well-formed reply whose payload does not start with these bytes counts
     *     as an unexpected reply
     */
    public SocketmapLoad(InetSocketAddress target, int connections, int threads, KeyCycle keys, byte[] expectPrefix) {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("load is only sent to loopback addresses, not " + target);
        }
        if (connections < 1 || threads < 1) {
            throw new IllegalArgumentException("connections and threads must be positive");
        }
        this.target = target;
        this.connections = connections;
        this.threads = Math.min(threads, connections);
        this.keys = keys;
        this.expectPrefix = expectPrefix == null ? null : expectPrefix.clone();
    }

    public LoadReport run(Duration warmup, Duration duration) throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long measureTo = measureFrom + duration.toNanos();
        List<Driver> drivers = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Driver driver = new Driver(t, measureFrom, measureTo);
            drivers.add(driver);
            Thread thread = new Thread(driver, "bench-socketmap-" + t);
            thread.setDaemon(true);
            running.add(thread);
            thread.start();
        }
        for (Thread thread : running) {
            thread.join();
        }
        Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
        long requests = 0;
        long connectFailures = 0;
        long closed = 0;
        long malformed = 0;
        long unexpected = 0;
        for (Driver d : drivers) {
            latency.add(d.latency);
            requests += d.requests;
            connectFailures += d.connectFailures;
            closed += d.closedByServer;
            malformed += d.malformed;
            unexpected += d.unexpected;
        }
        return new LoadReport(target.getAddress().getHostAddress() + ":" + target.getPort(), connections, duration,
                requests, latency, connectFailures, closed, malformed, unexpected);
    }

    private static final class Connection {
        final int index;
        final SocketChannel channel;
        final ByteBuffer out = ByteBuffer.allocateDirect(KeyCycle.MAX_REQUEST);
        final ByteBuffer in = ByteBuffer.allocate(8192);
        long sent;
        long sentAt;

        Connection(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    private final class Driver implements Runnable {
        final int id;
        final long measureFrom;
        final long measureTo;
        final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
        long requests;
        long connectFailures;
        long closedByServer;
        long malformed;
        long unexpected;

        Driver(int id, long measureFrom, long measureTo) {
            this.id = id;
            this.measureFrom = measureFrom;
            this.measureTo = measureTo;
        }

        @Override
        public void run() {
            try (Selector selector = Selector.open()) {
                for (int c = id; c < connections; c += threads) {
                    open(selector, c);
                }
                loop(selector);
                for (SelectionKey key : selector.keys()) {
                    key.channel().close();
                }
            } catch (IOException e) {
                throw new IllegalStateException("selector failed: " + e.getMessage(), e);
            }
        }

        private void open(Selector selector, int index) {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(target);
                channel.configureBlocking(false);
                Connection connection = new Connection(index, channel);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ, connection);
                send(key, connection);
            } catch (IOException e) {
                connectFailures++;
                closeQuietly(channel);
            }
        }

        private void loop(Selector selector) throws IOException {
            while (!selector.keys().isEmpty()) {
                long now = System.nanoTime();
                if (now >= measureTo) {
                    return;
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(measureTo - now)));
                Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
                while (selected.hasNext()) {
                    SelectionKey key = selected.next();
                    selected.remove();
                    Connection connection = (Connection) key.attachment();
                    try {
                        if (key.isValid() && key.isWritable()) {
                            flush(key, connection);
                        } else if (key.isValid() && key.isReadable()) {
                            read(key, connection);
                        }
                    } catch (IOException e) {
                        closedByServer++;
                        drop(key);
                    }
                }
            }
        }

        private void read(SelectionKey key, Connection c) throws IOException {
            int n = c.channel.read(c.in);
            if (n < 0) {
                closedByServer++;
                drop(key);
                return;
            }
            int frame = ReplyFrame.scan(c.in.array(), 0, c.in.position());
            if (frame == ReplyFrame.INCOMPLETE) {
                if (!c.in.hasRemaining()) {
                    malformed++;
                    drop(key);
                }
                return;
            }
            long done = System.nanoTime();
            // one request is outstanding, so exactly one reply may arrive: extra bytes break the protocol
            if (frame == ReplyFrame.MALFORMED || frame != c.in.position()) {
                malformed++;
                drop(key);
                return;
            }
            if (done >= measureFrom && done < measureTo) {
                requests++;
                latency.recordValue(Math.min(MAX_LATENCY_MICROS, (done - c.sentAt) / 1000));
                if (expectPrefix != null && !ReplyFrame.payloadStartsWith(c.in.array(), 0, frame, expectPrefix)) {
                    unexpected++;
                }
            }
            c.in.clear();
            if (done < measureTo) {
                send(key, c);
            }
        }

        private void send(SelectionKey key, Connection c) throws IOException {
            c.out.clear();
            c.out.put(keys.request(c.index, c.sent++));
            c.out.flip();
            c.sentAt = System.nanoTime();
            flush(key, c);
        }

        private void flush(SelectionKey key, Connection c) throws IOException {
            c.channel.write(c.out);
            key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private void drop(SelectionKey key) {
            key.cancel();
            closeQuietly((SocketChannel) key.channel());
        }

        private void closeQuietly(SocketChannel channel) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a broken connection: nothing left to report
                }
            }
        }
    }
}
