package io.github.mtasts.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A minimal SMTP server on loopback, one connection at a time, that holds its reply at one point of the transaction
 * until released, so a test can kill the client there. A message counts as received once its final dot arrived,
 * whatever the reply: from then on a real relay may have queued it.
 */
final class HoldingSmtpServer implements AutoCloseable {

    /** Where the server waits before replying. */
    enum Hold { NONE, DATA_REPLY, FINAL_REPLY }

    private final ServerSocket socket;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private volatile Hold hold;

    HoldingSmtpServer(Hold hold) throws IOException {
        this.hold = hold;
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(this::serve, "holding-smtp");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** The messages whose final dot arrived, as sent (headers and body, dot-stuffing kept). */
    List<String> messages() {
        return List.copyOf(messages);
    }

    /** Waits until a client reached the hold point. */
    boolean awaitHolding(long seconds) throws InterruptedException {
        return holding.await(seconds, TimeUnit.SECONDS);
    }

    /** Ends the hold; later transactions get every reply at once. */
    void release() {
        hold = Hold.NONE;
        released.countDown();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                client.setSoTimeout(60_000);
                converse(client);
            } catch (IOException e) {
                // the client died mid-transaction or the server closed: serve the next connection, if any
            }
        }
    }

    private void converse(Socket client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.US_ASCII));
        OutputStream out = client.getOutputStream();
        reply(out, "220 holding.test ESMTP");
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String verb = (line.length() > 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO", "HELO" -> reply(out, "250 holding.test");
                case "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 ok");
                case "QUIT" -> {
                    reply(out, "221 bye");
                    return;
                }
                case "DATA" -> {
                    holdAt(Hold.DATA_REPLY);
                    reply(out, "354 end with <CRLF>.<CRLF>");
                    StringBuilder message = new StringBuilder();
                    String body = in.readLine();
                    while (body != null && !body.equals(".")) {
                        message.append(body).append("\r\n");
                        body = in.readLine();
                    }
                    if (body == null) {
                        return;
                    }
                    messages.add(message.toString());
                    holdAt(Hold.FINAL_REPLY);
                    reply(out, "250 queued");
                }
                default -> reply(out, "502 not implemented");
            }
        }
    }

    private void holdAt(Hold point) {
        if (hold == point) {
            holding.countDown();
            try {
                released.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        release();
        socket.close();
    }
}
