package io.github.mtasts.cli;

import io.github.mtasts.resolver.socketmap.UnixSocketOwnership;
import io.github.mtasts.resolver.store.PolicyStore;
import io.github.mtasts.tlsrpt.aggregate.AggregateStore;
import io.github.mtasts.tlsrpt.config.CollectorSocket;
import io.github.mtasts.tlsrpt.config.TlsrptConfig;
import io.github.mtasts.tlsrpt.ingest.DatagramCollector;
import io.github.mtasts.tlsrpt.ingest.DatagramSocket;

import java.io.IOException;
import java.time.Clock;

/**
 * {@code tlsrpt.socket} served, for {@code tlsrpt run} and {@code tlsrpt collect}: the collector counting into the
 * store, and its socket. Closing stops receiving first, then commits the last batch.
 */
final class DatagramCollection implements AutoCloseable {
    private final DatagramCollector collector;
    private final DatagramSocket socket;

    private DatagramCollection(DatagramCollector collector, DatagramSocket socket) {
        this.collector = collector;
        this.socket = socket;
    }

    /** @throws IOException naming {@code tlsrpt.socket} and why it cannot be served */
    static DatagramCollection start(TlsrptConfig tlsrpt, AggregateStore store, PolicyStore policies,
                                    DatagramCollector.Events events, Clock clock) throws IOException {
        CollectorSocket config = tlsrpt.socket().orElseThrow(() -> new IllegalStateException("no tlsrpt.socket"));
        UnixSocketOwnership ownership;
        try {
            ownership = UnixSocketOwnership.lookUp(config.owner(), config.group());
        } catch (IOException e) {
            throw new IOException("tlsrpt.socket_" + e.getMessage(), e);
        }
        DatagramCollector collector = new DatagramCollector(store, policies, tlsrpt.batchLines(),
                tlsrpt.batchInterval(), clock, events);
        try {
            return new DatagramCollection(collector, DatagramSocket.bind(config.path(), config.mode(), ownership,
                    collector::accept));
        } catch (IOException | RuntimeException e) {
            collector.close();
            throw e;
        }
    }

    @Override
    public void close() {
        socket.close();
        collector.close();
    }
}
