package io.github.mtasts.tlsrpt.inbound;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nightcode.milter.Actions;
import org.nightcode.milter.ProtocolFamily;
import org.nightcode.milter.ProtocolSteps;
import org.nightcode.milter.ResponseCode;
import org.nightcode.milter.client.ConnectionFactory;
import org.nightcode.milter.client.MilterResponse;
import org.nightcode.milter.client.MilterSession;
import org.nightcode.milter.client.MilterSessionFactory;
import org.nightcode.milter.client.MilterSessionFactoryBuilder;
import org.nightcode.milter.codec.MilterPacket;

/** The MTA side of the milter protocol (jmilter's client), sending messages the way Postfix does. */
final class MilterClient implements AutoCloseable {

    private final MilterSessionFactory sessions;

    MilterClient(InetSocketAddress milter) {
        sessions = MilterSessionFactoryBuilder.<InetSocketAddress>builder()
                .factory(ConnectionFactory.tcpIpFactory(milter))
                .protocolVersion(6)
                .actions(Actions.builder().addHeader().deleteRecipients().build())
                .protocolSteps(ProtocolSteps.builder().build())
                .create();
    }

    /** Sends one message: envelope, headers one by one, body in chunks, end of message; returns the replies to it. */
    List<MilterPacket> send(List<String> recipients, byte[] message) throws Exception {
        String text = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace("\n", "\r\n");
        int split = text.indexOf("\r\n\r\n");
        String head = text.substring(0, split);
        byte[] body = text.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1);
        MilterSession session = sessions.createSession().get(30, TimeUnit.SECONDS);
        try {
            session.connect("mail.example.net", ProtocolFamily.SMFIA_INET, 25, "192.0.2.25").get(30, TimeUnit.SECONDS);
            session.helo("mail.example.net").get(30, TimeUnit.SECONDS);
            session.envfrom(List.of("<noreply-smtp-tls-reporting@google.com>")).get(30, TimeUnit.SECONDS);
            for (String recipient : recipients) {
                session.envrcpt(List.of(recipient)).get(30, TimeUnit.SECONDS);
            }
            for (String header : unfoldedHeaders(head)) {
                int colon = header.indexOf(':');
                session.header(header.substring(0, colon), header.substring(colon + 1).stripLeading())
                        .get(30, TimeUnit.SECONDS);
            }
            session.eoh().get(30, TimeUnit.SECONDS);
            for (int offset = 0; offset < body.length; offset += 1000) {
                session.body(Arrays.copyOfRange(body, offset, Math.min(body.length, offset + 1000)))
                        .get(30, TimeUnit.SECONDS);
            }
            MilterResponse response = session.eob().get(30, TimeUnit.SECONDS);
            return response.packets();
        } finally {
            session.quit();
        }
    }

    /** Header fields with their continuation lines, as Postfix hands them to a milter. */
    private static List<String> unfoldedHeaders(String head) {
        List<String> headers = new ArrayList<>();
        for (String line : head.split("\r\n")) {
            if ((line.startsWith(" ") || line.startsWith("\t")) && !headers.isEmpty()) {
                headers.set(headers.size() - 1, headers.get(headers.size() - 1) + "\r\n" + line);
            } else {
                headers.add(line);
            }
        }
        return headers;
    }

    static List<ResponseCode> codes(List<MilterPacket> packets) {
        return packets.stream().map(p -> ResponseCode.valueOf(p.command())).toList();
    }

    @Override
    public void close() {
        sessions.close();
    }
}
