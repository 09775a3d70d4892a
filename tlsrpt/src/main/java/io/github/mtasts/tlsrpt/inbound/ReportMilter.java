package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.text.LogSafe;
import io.github.mtasts.tlsrpt.config.MilterConfig.Disposition;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.nightcode.milter.AbstractMilterHandler;
import org.nightcode.milter.Actions;
import org.nightcode.milter.MilterContext;
import org.nightcode.milter.MilterException;
import org.nightcode.milter.ProtocolSteps;
import org.nightcode.milter.codec.MilterPacket;
import org.nightcode.milter.util.MilterPackets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The milter behind {@code mtasts milter}: reads the messages Postfix receives, stores the TLSRPT reports they
 * carry, and otherwise lets every message through. Only two things ever change a message's fate: a message
 * whose reports were all safely stored (or were already stored) is dropped for the report addresses configured
 * with {@code discard} — discarded outright when those are all its recipients. Any error of ours, an oversized
 * message or a report we cannot read leaves the message untouched: mail is never rejected or lost because of
 * us.
 */
public final class ReportMilter extends AbstractMilterHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ReportMilter.class);

    /** One message in transit on one milter connection. */
    private static final class Message {
        final List<String> recipients = new ArrayList<>();
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        String contentType = "";
        long size;
        boolean oversized;
        /** Decided at the end of the headers: whether the body is worth keeping in memory. */
        boolean candidate = true;
    }

    private final ReportIntake intake;
    private final Map<String, Disposition> addresses;
    private final int maxMessageSize;
    private final Map<UUID, Message> messages = new ConcurrentHashMap<>();

    /**
     * @param addresses      report addresses in lower case and what to do with their mail once stored
     * @param maxMessageSize a larger message is not read and passes through untouched
     */
    public ReportMilter(ReportIntake intake, Map<String, Disposition> addresses, int maxMessageSize) {
        // deleting recipients is the one modification we may make (a discard address among others)
        super(Actions.builder().deleteRecipients().build(), ProtocolSteps.builder().build());
        this.intake = Objects.requireNonNull(intake, "intake");
        this.addresses = Map.copyOf(addresses);
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public void envfrom(MilterContext context, List<String> args) throws MilterException {
        messages.put(context.id(), new Message());
        context.sendContinue();
    }

    @Override
    public void envrcpt(MilterContext context, List<String> args) throws MilterException {
        Message message = messages.get(context.id());
        if (message != null && !args.isEmpty()) {
            message.recipients.add(args.get(0));
        }
        context.sendContinue();
    }

    @Override
    public void header(MilterContext context, String name, String value) throws MilterException {
        Message message = messages.get(context.id());
        if (message != null) {
            if ("content-type".equalsIgnoreCase(name)) {
                message.contentType = value.trim().toLowerCase(Locale.ROOT);
            }
            append(message, (name + ": " + value + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        context.sendContinue();
    }

    @Override
    public void eoh(MilterContext context) throws MilterException {
        Message message = messages.get(context.id());
        if (message != null) {
            append(message, "\r\n".getBytes(StandardCharsets.US_ASCII));
            message.candidate = message.recipients.stream().anyMatch(r -> addresses.containsKey(bare(r)))
                    || mayCarryReport(message.contentType);
            if (!message.candidate) {
                // ordinary mail: only its size is followed, its body is not held in memory
                message.content.reset();
            }
        }
        context.sendContinue();
    }

    @Override
    public void body(MilterContext context, byte[] chunk) throws MilterException {
        Message message = messages.get(context.id());
        if (message != null) {
            append(message, chunk);
        }
        context.sendContinue();
    }

    private void append(Message message, byte[] bytes) {
        message.size += bytes.length;
        if (message.oversized || !message.candidate) {
            return;
        }
        if (message.size > maxMessageSize) {
            message.oversized = true;
            message.content.reset();
            return;
        }
        message.content.write(bytes, 0, bytes.length);
    }

    @Override
    public void eom(MilterContext context, byte[] chunk) throws MilterException {
        Message message = messages.remove(context.id());
        MilterPacket reply = MilterPackets.SMFIS_CONTINUE;
        List<String> drop = List.of();
        try {
            if (message != null) {
                if (chunk != null && chunk.length > 0) {
                    append(message, chunk);
                }
                drop = recipientsToDrop(context, message);
                if (!drop.isEmpty() && drop.size() == message.recipients.size()) {
                    reply = MilterPackets.SMFIS_DISCARD;
                    drop = List.of();
                }
            }
        } catch (RuntimeException e) {
            // fail open: whatever went wrong, the message goes on unchanged
            LOG.error("milter {}: cannot process message, passing it through unchanged: {}", context.id(),
                    LogSafe.escape(e.toString()), e);
            reply = MilterPackets.SMFIS_CONTINUE;
            drop = List.of();
        }
        try {
            for (String recipient : drop) {
                messageModificationService.deleteRecipient(context, recipient);
            }
        } catch (MilterException e) {
            // the recipients not yet removed get their copy: a report stored twice is harmless, lost mail is not
            LOG.error("milter {}: cannot remove a discard recipient, delivering to the rest: {}", context.id(),
                    LogSafe.escape(e.toString()));
        }
        context.sendPacket(reply);
    }

    /** Reads the message's reports; returns the recipients whose copy may go, all of them meaning discard. */
    private List<String> recipientsToDrop(MilterContext context, Message message) {
        List<String> discardRecipients = new ArrayList<>();
        boolean toReportAddress = false;
        for (String recipient : message.recipients) {
            Disposition disposition = addresses.get(bare(recipient));
            toReportAddress |= disposition != null;
            if (disposition == Disposition.DISCARD) {
                discardRecipients.add(recipient);
            }
        }
        if (message.oversized) {
            LOG.warn("milter {}: message of {} bytes exceeds milter.max_message_size {}; passed through unread",
                    context.id(), message.size, maxMessageSize);
            return List.of();
        }
        if (!message.candidate) {
            return List.of();
        }
        List<ReportIntake.Outcome> outcomes = intake.acceptMessage("message to " + message.recipients,
                message.content.toByteArray());
        boolean allSafe = !outcomes.isEmpty();
        for (ReportIntake.Outcome outcome : outcomes) {
            switch (outcome.result()) {
                case STORED -> LOG.info("milter {}: stored {} from {}", context.id(), LogSafe.escape(outcome.detail()),
                        LogSafe.escape(outcome.origin()));
                case DUPLICATE -> LOG.info("milter {}: {} from {} was stored already", context.id(),
                        LogSafe.escape(outcome.detail()), LogSafe.escape(outcome.origin()));
                case REJECTED -> {
                    allSafe = false;
                    LOG.warn("milter {}: rejected a report in {}: {}", context.id(), LogSafe.escape(outcome.origin()),
                            LogSafe.escape(outcome.detail()));
                }
            }
        }
        if (toReportAddress && outcomes.isEmpty()) {
            LOG.warn("milter {}: message to report address {} carries no TLSRPT report; kept", context.id(),
                    LogSafe.escape(message.recipients));
        }
        // a message goes only when every report in it is safely in the store
        return allSafe ? discardRecipients : List.of();
    }

    /** Reports come as multipart/report or, from some senders, a bare attachment type; text mail cannot carry one. */
    private static boolean mayCarryReport(String contentType) {
        return contentType.startsWith("multipart/") || contentType.startsWith("application/");
    }

    /** {@code <User@Example.com>} → {@code user@example.com}. */
    static String bare(String recipient) {
        String address = recipient.trim();
        if (address.startsWith("<") && address.endsWith(">")) {
            address = address.substring(1, address.length() - 1);
        }
        return address.toLowerCase(Locale.ROOT);
    }

    @Override
    public void abort(MilterContext context, MilterPacket packet) {
        messages.remove(context.id());
    }

    @Override
    public void quit(MilterContext context) {
        messages.remove(context.id());
    }
}
