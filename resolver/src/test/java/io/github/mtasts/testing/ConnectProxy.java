package io.github.mtasts.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP proxy on 127.0.0.1 that only tunnels ({@code CONNECT host:port}), the way an {@code https_proxy}
 * carries TLS; records each tunnel's target. Targets are resolved by the JVM (the test hosts file).
 */
public final class ConnectProxy implements AutoCloseable {

    private final ServerSocket server;
    private final List<String> targets = new CopyOnWriteArrayList<>();
    /** Closed on {@link #close()}: the client keeps tunnels open for reuse and blocked reads ignore interrupts. */
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "connect-proxy");
        t.setDaemon(true);
        return t;
    });

    /** Port every tunnel goes to, whatever port the CONNECT names; 0 for the named one. */
    private final int upstreamPort;

    private ConnectProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        executor.execute(this::accept);
    }

    public static ConnectProxy start() {
        return forwardingTo(0);
    }

    /**
     * A proxy that tunnels {@code CONNECT host:443} (what a daemon in production asks for) to {@code host:port}, where
     * the test's policy hosts listen; {@link #targets()} still records the port asked for.
     */
    public static ConnectProxy forwardingTo(int port) {
        try {
            return new ConnectProxy(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code host:port} of every CONNECT received, in order. */
    public List<String> targets() {
        return List.copyOf(targets);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                executor.execute(() -> tunnel(client));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void tunnel(Socket client) {
        try (client) {
            String head = readHead(client.getInputStream());
            String[] requestLine = head.split("\r\n", 2)[0].split(" ");
            OutputStream toClient = client.getOutputStream();
            if (requestLine.length != 3 || !requestLine[0].equals("CONNECT")) {
                toClient.write("HTTP/1.1 405 Only CONNECT\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String target = requestLine[1];
            targets.add(target);
            int colon = target.lastIndexOf(':');
            int port = upstreamPort != 0 ? upstreamPort : Integer.parseInt(target.substring(colon + 1));
            try (Socket upstream = new Socket(target.substring(0, colon), port)) {
                sockets.add(upstream);
                toClient.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                toClient.flush();
                executor.execute(() -> pump(client, upstream));
                pump(upstream, client);
            }
        } catch (IOException e) {
            // a side closed: the tunnel ends
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // a side closed: the tunnel ends
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // already closed
                }
            }
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
