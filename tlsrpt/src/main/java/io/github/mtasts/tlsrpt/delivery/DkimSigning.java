package io.github.mtasts.tlsrpt.delivery;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import java.util.Objects;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimException;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;

/**
 * Signs report mail with DKIM (RFC 6376) using {@code utils-mail-dkim}: rsa-sha256, relaxed/relaxed
 * canonicalization. Ed25519 keys are refused when the key is loaded ({@link DkimKeys}).
 */
final class DkimSigning {

    /**
     * Signed besides the library's defaults (From, To, Subject, Date, Message-ID, MIME-Version, Content-Type...):
     * the TLSRPT headers, so a receiver can trust which domain the report is about and who sent it, and the
     * headers that tell relays and auto-responders how to treat the mail.
     */
    static final List<String> REPORT_HEADERS = List.of(
            "TLS-Report-Domain", "TLS-Report-Submitter", "TLS-Required", "Auto-Submitted");

    private final DkimSettings settings;
    private final RSAPrivateKey key;

    DkimSigning(DkimSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.key = DkimKeys.load(settings.keyFile());
        newSigner(); // a key the library refuses fails here, at start-up
    }

    /** The message with a DKIM-Signature computed when it is written out. */
    MimeMessage sign(MimeMessage message) throws MessagingException {
        return new DkimMessage(message, newSigner());
    }

    /** A DkimSigner keeps digest state, so each message gets its own. */
    private DkimSigner newSigner() {
        try {
            DkimSigner signer = new DkimSigner(settings.domain(), settings.selector(), key);
            signer.setHeaderCanonicalization(Canonicalization.RELAXED);
            signer.setBodyCanonicalization(Canonicalization.RELAXED);
            signer.setLengthParam(false); // RFC 8460 §3: the signature MUST NOT use l=
            signer.setCheckDomainKey(false); // no DNS lookup of our own key while sending
            signer.setCopyHeaderFields(false);
            REPORT_HEADERS.forEach(signer::addHeaderToSign);
            return signer;
        } catch (DkimException e) {
            throw new IllegalArgumentException("DKIM signing with " + settings.keyFile() + " for d="
                    + settings.domain() + " s=" + settings.selector() + ": " + e.getMessage(), e);
        }
    }
}
