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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Real SMTP servers with STARTTLS (RFC 3207) for tests: one listener per loopback address, all on one shared free
 * port, each with its own certificate and behaviour. After {@code STARTTLS} the plain socket is upgraded to TLS
 * on the server side; EHLO and QUIT work before and after. Records the SNI names clients asked for.
 *
 * <pre>{@code
 * try (SmtpStartTlsServer smtp = SmtpStartTlsServer.builder()
 *         .host("127.0.2.1", ca.issue("mx.good.test").serverContext(), Behaviour.STARTTLS)
 *         .start()) { ... smtp.port() ... }
 * }</pre>
 */
public final class SmtpStartTlsServer implements AutoCloseable {

    /** How a host treats a client. */
    public enum Behaviour {
        /** Greets, offers STARTTLS and completes TLS with its certificate. */
        STARTTLS,
        /** Greets but does not offer STARTTLS (and refuses it if asked). */
        NO_STARTTLS,
        /** Accepts the connection and never greets. */
        HANG_GREETING,
        /** Greets with 554 (RFC 5321 §3.1: no SMTP service here). */
        REJECT_GREETING,
        /** Offers STARTTLS but answers it with 454 (RFC 3207 §4: TLS temporarily unavailable). */
        REFUSE_STARTTLS,
        /** Offers STARTTLS, answers 220, then writes plain text instead of a TLS handshake. */
        PLAINTEXT_AFTER_STARTTLS
    }

    private final List<ServerSocket> listeners = new ArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smtp-starttls");
        t.setDaemon(true);
        return t;
    });
    private int port;

    private SmtpStartTlsServer() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port every host listens on. */
    public int port() {
        return port;
    }

    /** SNI host names clients sent in their TLS handshakes, in order. */
    public List<String> serverNames() {
        return List.copyOf(serverNames);
    }

    @Override
    public void close() {
        closing.countDown();
        for (ServerSocket listener : listeners) {
            try {
                listener.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static final class Builder {
        private record Host(String address, SSLContext tls, Behaviour behaviour) {}

        private final List<Host> hosts = new ArrayList<>();

        private Builder() {
        }

        /** {@code address} is a loopback IPv4 or IPv6 literal; {@code tls} presents the host's certificate. */
        public Builder host(String address, SSLContext tls, Behaviour behaviour) {
            hosts.add(new Host(address, tls, behaviour));
            return this;
        }

        public SmtpStartTlsServer start() {
            SmtpStartTlsServer server = new SmtpStartTlsServer();
            try {
                for (Host host : hosts) {
                    ServerSocket listener = new ServerSocket();
                    listener.bind(new InetSocketAddress(InetAddress.getByName(host.address()), server.port), 16);
                    server.port = listener.getLocalPort();
                    server.listeners.add(listener);
                    server.executor.execute(() -> server.accept(listener, host.tls(), host.behaviour()));
                }
            } catch (IOException e) {
                server.close();
                throw new UncheckedIOException("cannot start SMTP test hosts: " + e.getMessage(), e);
            }
            return server;
        }
    }

    private void accept(ServerSocket listener, SSLContext tls, Behaviour behaviour) {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                executor.execute(() -> serve(client, tls, behaviour));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client, SSLContext tls, Behaviour behaviour) {
        try (client) {
            if (behaviour == Behaviour.HANG_GREETING) {
                closing.await();
                return;
            }
            Socket socket = client;
            String name = "mx.test";
            if (behaviour == Behaviour.REJECT_GREETING) {
                write(socket, "554 5.3.2 " + name + " no SMTP service here");
                return;
            }
            write(socket, "220 " + name + " ESMTP test");
            while (true) {
                String command = readLine(socket.getInputStream());
                if (command == null) {
                    return;
                }
                String verb = command.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                boolean offerStartTls = behaviour != Behaviour.NO_STARTTLS && !(socket instanceof SSLSocket);
                switch (verb) {
                    case "EHLO" -> write(socket, "250-" + name + " hello\r\n250-PIPELINING\r\n"
                            + (offerStartTls ? "250-STARTTLS\r\n" : "") + "250 8BITMIME");
                    case "STARTTLS" -> {
                        if (!offerStartTls) {
                            write(socket, "502 5.5.1 STARTTLS not available");
                        } else if (behaviour == Behaviour.REFUSE_STARTTLS) {
                            write(socket, "454 4.7.0 TLS not available due to temporary reason");
                        } else if (behaviour == Behaviour.PLAINTEXT_AFTER_STARTTLS) {
                            write(socket, "220 2.0.0 ready to start TLS");
                            write(socket, "this is not a TLS record");
                            return;
                        } else {
                            write(socket, "220 2.0.0 ready to start TLS");
                            socket = upgrade(socket, tls);
                        }
                    }
                    case "QUIT" -> {
                        write(socket, "221 2.0.0 bye");
                        return;
                    }
                    default -> write(socket, "502 5.5.2 command not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away or the handshake failed: normal in these tests
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SSLSocket upgrade(Socket plain, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        socket.setUseClientMode(false);
        socket.startHandshake();
        if (socket.getSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName sni : session.getRequestedServerNames()) {
                if (sni instanceof SNIHostName hostName) {
                    serverNames.add(hostName.getAsciiName());
                }
            }
        }
        return socket;
    }

    private static void write(Socket socket, String reply) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One command line without CRLF, or null at end of stream; byte by byte so nothing of the TLS handshake is read. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }
}
