package io.github.mtasts.tlsrpt.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A real SMTP listener on loopback that serves one connection and answers RCPT TO with a chosen reply, for the
 * refusals GreenMail cannot produce. Everything else is accepted; the transcript is not stored.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    private final ServerSocket socket;
    private final Thread thread;

    ScriptedSmtpServer(String rcptReply) throws IOException {
        socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> serve(rcptReply), "scripted-smtp");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve(String rcptReply) {
        try (Socket client = socket.accept()) {
            client.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = client.getOutputStream();
            reply(out, "220 scripted.test ESMTP");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250 scripted.test");
                    case "MAIL" -> reply(out, "250 2.1.0 Ok");
                    case "RCPT" -> reply(out, rcptReply);
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> reply(out, "250 Ok");
                }
            }
        } catch (IOException e) {
            // the client went away or the test closed the listener: nothing left to serve
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
