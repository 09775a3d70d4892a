package io.github.mtasts.it;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The sending Postfix of one scenario: a fresh instance with an empty queue (so no back-off from an earlier
 * scenario hides a delivery attempt, see PITFALLS.md), routing by the test zone's MX records, verifying
 * against the test CA, with the TLS policy table the scenario chooses.
 */
public final class SendingPostfix implements AutoCloseable {

    public static final String SENDER = "alice@sender.test";

    private final PostfixInstance instance;

    private SendingPostfix(PostfixInstance instance) {
        this.instance = instance;
    }

    /**
     * Starts a sender of {@code build}; {@code extraSettings} are added to (or override) the main.cf settings
     * every sender has; {@code listeners} are master.cf lines for its smtpd listeners, if any.
     */
    static SendingPostfix start(PostfixBuild build, Path worldDir, Path dir, Path caFile, String tlsPolicyMaps,
            Map<String, String> extraSettings, List<String> listeners) {
        Map<String, String> common = Map.ofEntries(
                Map.entry("myhostname", "sender.test"),
                Map.entry("myorigin", "$myhostname"),
                // only 127.0.0.1 is ours: the receiving MX hosts on 127.0.1.x are other machines (PITFALLS.md)
                Map.entry("inet_interfaces", "127.0.0.1"),
                Map.entry("smtp_tls_security_level", "may"),
                Map.entry("smtp_tls_CAfile", caFile.toString()),
                Map.entry("smtp_tls_loglevel", "1"),
                Map.entry("smtp_tls_policy_maps", tlsPolicyMaps),
                Map.entry("queue_run_delay", "1s"),
                Map.entry("minimal_backoff_time", "1s"),
                Map.entry("maximal_backoff_time", "2s"),
                Map.entry("bounce_queue_lifetime", "1h"),
                Map.entry("maximal_queue_lifetime", "1h"));
        Map<String, String> settings = new LinkedHashMap<>(common);
        settings.putAll(extraSettings);
        return new SendingPostfix(PostfixInstance.start(build, worldDir, dir, "postfix-send", settings, listeners));
    }

    /** A recipient at {@code domain} that no other message uses. */
    public static String uniqueRecipient(String domain) {
        return "u-" + UUID.randomUUID().toString().substring(0, 13) + "@" + domain;
    }

    /** Submits a message to {@code recipient} with {@code sendmail -C DIR}; its body names the recipient. */
    public void send(String recipient) {
        String message = "From: " + SENDER + "\nTo: " + recipient + "\nSubject: mtasts integration test\n\n"
                + "marker " + recipient + "\n";
        Commands.Result result = Commands.runWithInput(message, instance.command("sendmail"), "-C", instance.configDir().toString(), "-f",
                SENDER, recipient);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.describe());
        }
    }

    /** Waits for the first delivery attempt to {@code recipient}, whatever its outcome. */
    public Delivery awaitFirstAttempt(String recipient) {
        return Waits.until("a delivery attempt to " + recipient + " in " + instance.maillog(), Waits.GENEROUS,
                () -> Delivery.firstAttempt(instance.logLines(), recipient));
    }

    /** Sends to {@code recipient} and waits for the first attempt. */
    public Delivery sendAndAwait(String recipient) {
        send(recipient);
        return awaitFirstAttempt(recipient);
    }

    /** Asks the queue manager to retry every deferred message now ({@code postqueue -f}). */
    public void flushQueue() {
        Commands.check(instance.command("postqueue"), "-c", instance.configDir().toString(), "-f");
    }

    /** Whether a later attempt delivered the message to {@code recipient}. */
    public boolean logShowsSent(String recipient) {
        return instance.logLines().stream()
                .anyMatch(line -> line.contains("to=<" + recipient + ">") && line.contains("status=sent"));
    }

    /** The log so far, as postlogd wrote it (the TLSRPT tests read it like a real maillog). */
    public List<String> log() {
        return instance.logLines();
    }

    public Path maillog() {
        return instance.maillog();
    }

    @Override
    public void close() {
        instance.close();
    }
}
