package io.github.mtasts.it;

import io.github.mtasts.it.TestDomain.Fault;
import io.github.mtasts.it.TestDomain.MxTls;
import io.github.mtasts.testing.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The receiving MX hosts: one Postfix instance with one smtpd listener per domain on port 25 of the domain's
 * MX address, each presenting that domain's certificate (or offering no STARTTLS), delivering every domain
 * into its own Maildir {@code mail/<domain>/}.
 */
final class ReceivingMx implements AutoCloseable {

    /** The uid and gid of nobody/nogroup on Debian, owner of the Maildirs. */
    private static final String NOBODY = "65534";

    private final PostfixInstance instance;
    private final Path mailDir;
    private final Map<String, X509Certificate> certificates;

    private ReceivingMx(PostfixInstance instance, Path mailDir, Map<String, X509Certificate> certificates) {
        this.instance = instance;
        this.mailDir = mailDir;
        this.certificates = Map.copyOf(certificates);
    }

    static ReceivingMx start(Path worldDir, Path dir, TestCa ca, TestCa otherCa, List<TestDomain> domains) {
        Path pki = dir.resolve("pki");
        Path mail = dir.resolve("mail");
        try {
            Files.createDirectories(pki);
            Files.createDirectories(mail);
            Commands.check("chown", NOBODY + ":" + NOBODY, mail.toString());
            List<String> listeners = new ArrayList<>();
            Map<String, X509Certificate> certificates = new HashMap<>();
            for (TestDomain domain : domains) {
                listeners.addAll(listeners(domain, pki, ca, otherCa, certificates));
            }
            Path mailboxes = dir.resolve("mailboxes");
            Files.writeString(mailboxes, domains.stream().map(d -> "@" + d.name() + " " + d.name() + "/\n")
                    .collect(Collectors.joining()));
            Map<String, String> settings = Map.ofEntries(
                    Map.entry("myhostname", "mx.receiver.test"),
                    Map.entry("inet_interfaces", "loopback-only"),
                    // the IPv6 MX address of chk-ipv6.test; the senders stay on IPv4
                    Map.entry("inet_protocols", "all"),
                    Map.entry("virtual_mailbox_domains", domains.stream().map(TestDomain::name)
                            .collect(Collectors.joining(", "))),
                    Map.entry("virtual_mailbox_base", mail.toString()),
                    Map.entry("virtual_mailbox_maps", "texthash:" + mailboxes),
                    Map.entry("virtual_uid_maps", "static:" + NOBODY),
                    Map.entry("virtual_gid_maps", "static:" + NOBODY),
                    Map.entry("smtpd_tls_security_level", "may"),
                    Map.entry("smtpd_tls_loglevel", "1"));
            return new ReceivingMx(PostfixInstance.start(worldDir, dir, "postfix-mx", settings, listeners), mail,
                    certificates);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the receiving MX hosts in " + dir, e);
        }
    }

    /** The domain's smtpd listener on its MX address, and a second one on [::1] for an IPv6 MX. */
    private static List<String> listeners(TestDomain domain, Path pki, TestCa ca, TestCa otherCa,
            Map<String, X509Certificate> certificates) throws IOException {
        String service = " inet n - n - - smtpd -o syslog_name=mx-" + domain.name().replace('.', '-');
        String options = options(domain, pki, ca, otherCa, certificates);
        List<String> listeners = new ArrayList<>();
        listeners.add(domain.mxAddress() + ":25" + service + options);
        if (domain.has(Fault.IPV6_MX)) {
            listeners.add("[::1]:25" + service + options);
        }
        return listeners;
    }

    private static String options(TestDomain domain, Path pki, TestCa ca, TestCa otherCa,
            Map<String, X509Certificate> certificates) throws IOException {
        if (domain.mxTls() == MxTls.NO_STARTTLS) {
            return " -o smtpd_tls_security_level=none";
        }
        Instant now = Instant.now();
        TestCa.Issued certificate = switch (domain.mxTls()) {
            case TRUSTED -> ca.issue(domain.mxHost());
            case SELF_SIGNED -> TestCa.selfSigned(domain.mxHost());
            case EXPIRED -> ca.issueExpired(domain.mxHost());
            case WRONG_NAME -> ca.issue("other-host.test");
            case UNTRUSTED_ISSUER -> otherCa.issue(domain.mxHost());
            case CN_ONLY -> ca.issueWithoutSan(domain.mxHost());
            case EXPIRING_SOON -> ca.issue(now.minus(Duration.ofDays(60)), now.plus(Duration.ofDays(5)), domain.mxHost());
            case NO_STARTTLS -> throw new IllegalStateException("unreachable");
        };
        certificates.put(domain.mxHost(), certificate.certificate());
        // smtpd_tls_chain_files: the key first, then the certificate chain, leaf first
        Path chainFile = pki.resolve(domain.mxHost() + ".pem");
        Files.writeString(chainFile, certificate.keyPem() + certificate.chainPem());
        return " -o smtpd_tls_chain_files=" + chainFile;
    }

    /** The messages delivered so far to {@code domain}'s Maildir whose text contains {@code marker}. */
    List<Path> messagesContaining(String domain, String marker) {
        Path newDir = mailDir.resolve(domain).resolve("new");
        if (!Files.isDirectory(newDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(newDir)) {
            return files.filter(file -> contains(file, marker)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(Path file, String marker) {
        try {
            return Files.readString(file).contains(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sets ({@code value} non-null) or removes ({@code value} null) an {@code -o} parameter of {@code domain}'s
     * smtpd listener and restarts Postfix, so only that MX host sees the change. A restart rather than a reload:
     * after {@code postfix reload} returns, an idle smtpd of the old configuration may still take the next
     * connection.
     */
    void setListenerParameter(String domain, String name, String value) {
        String service = TestZone.domain(domain).mxAddress() + ":25/inet/" + name;
        String etc = instance.configDir().toString();
        if (value == null) {
            Commands.check("postconf", "-c", etc, "-PX", service);
        } else {
            Commands.check("postconf", "-c", etc, "-P", service + "=" + value);
        }
        Commands.check("postfix", "-c", etc, "stop");
        Waits.until("the receiving Postfix to stop", Waits.GENEROUS,
                () -> Commands.run("postfix", "-c", etc, "status").exitCode() != 0);
        Commands.check("postfix", "-c", etc, "start");
    }

    /** The certificate the MX host {@code mxHost} presents (TLSA records are computed from it). */
    X509Certificate certificate(String mxHost) {
        X509Certificate certificate = certificates.get(mxHost);
        if (certificate == null) {
            throw new IllegalArgumentException("no MX host " + mxHost + " presents a certificate");
        }
        return certificate;
    }

    PostfixInstance instance() {
        return instance;
    }

    @Override
    public void close() {
        instance.close();
    }
}
