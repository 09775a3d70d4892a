package io.github.mtasts.tlsrpt.delivery;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * DKIM signing of report mail (RFC 8460 §5.3: reports sent by mail MUST carry a valid DKIM signature of the
 * reporting domain). The public key belongs at {@code <selector>._domainkey.<domain>}, ideally with
 * {@code s=tlsrpt} (RFC 8460 §3).
 *
 * @param domain   the signing domain ({@code d=})
 * @param selector the selector ({@code s=})
 * @param keyFile  the RSA private key: PEM or DER PKCS#8, or PEM PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) as
 *                 {@code opendkim-genkey} writes it
 */
public record DkimSettings(String domain, String selector, Path keyFile) {

    public DkimSettings {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(keyFile, "keyFile");
        domain = domain.toLowerCase(Locale.ROOT);
        if (!domain.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
            throw new IllegalArgumentException("DKIM domain \"" + domain + "\" is not a host name");
        }
        // RFC 6376 §3.1: a selector is one or more dot-separated sub-domain labels
        if (!selector.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
            throw new IllegalArgumentException("DKIM selector \"" + selector + "\" is not a sequence of DNS labels");
        }
    }
}
