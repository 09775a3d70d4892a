package io.github.mtasts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * A UDP "DNS server" on 127.0.0.1 that behaves badly on purpose: {@link #silent()} never answers (a resolver
 * timeout), {@link #servfail()} answers every query with SERVFAIL (dnsmasq cannot be made to do so reliably).
 */
public final class StubDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread thread;
    private final AtomicInteger queries = new AtomicInteger();

    private StubDnsServer(boolean answer) {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(() -> serve(answer), "stub-dns-" + (answer ? "servfail" : "silent"));
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads queries and never answers. */
    public static StubDnsServer silent() {
        return new StubDnsServer(false);
    }

    /** Answers every query with RCODE SERVFAIL. */
    public static StubDnsServer servfail() {
        return new StubDnsServer(true);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Queries received so far. */
    public int queries() {
        return queries.get();
    }

    private void serve(boolean answer) {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                queries.incrementAndGet();
                if (answer) {
                    Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                    Message reply = new Message(query.getHeader().getID());
                    reply.getHeader().setFlag(Flags.QR);
                    reply.getHeader().setFlag(Flags.RA);
                    reply.getHeader().setRcode(Rcode.SERVFAIL);
                    reply.addRecord(query.getQuestion(), Section.QUESTION);
                    byte[] wire = reply.toWire();
                    socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or a garbage datagram: keep serving until closed
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
