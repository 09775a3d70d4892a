package io.github.mtasts.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: a root, leaf certificates for host names (valid, expired,
 * self-signed), PEM output for external servers (Postfix, nginx) and SSLContexts for Java servers.
 */
public final class TestCa {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final String name;
    private final KeyPair keyPair;
    private final X509Certificate certificate;

    private TestCa(String name, KeyPair keyPair, X509Certificate certificate) {
        this.name = name;
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    /** A new root CA called {@code name}, valid from yesterday for ten years. */
    public static TestCa create(String name) {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500Name("CN=" + name + ",O=mtasts tests");
        Instant now = Instant.now();
        X509Certificate cert = sign(subject, subject, keys, keys.getPrivate(), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(3650)), true);
        return new TestCa(name, keys, cert);
    }

    /** A self-signed leaf for {@code dnsNames}: trusted by nobody. */
    public static Issued selfSigned(String... dnsNames) {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500Name("CN=" + dnsNames[0]);
        Instant now = Instant.now();
        X509Certificate cert = signLeaf(subject, subject, keys, keys.getPrivate(), now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)), dnsNames);
        return new Issued(cert, keys.getPrivate(), new X509Certificate[] {cert});
    }

    public String name() {
        return name;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A leaf for {@code dnsNames} (Subject Alternative Names; the first is also the CN), valid for a year. */
    public Issued issue(String... dnsNames) {
        Instant now = Instant.now();
        return issue(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), dnsNames);
    }

    /** A leaf for {@code dnsNames} that expired yesterday. */
    public Issued issueExpired(String... dnsNames) {
        Instant now = Instant.now();
        return issue(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), dnsNames);
    }

    /** A leaf for {@code dnsNames} valid from {@code notBefore} to {@code notAfter}. */
    public Issued issue(Instant notBefore, Instant notAfter, String... dnsNames) {
        KeyPair keys = newKeyPair();
        X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        X509Certificate cert = signLeaf(issuer, new X500Name("CN=" + dnsNames[0]), keys, keyPair.getPrivate(), notBefore, notAfter, dnsNames);
        return new Issued(cert, keys.getPrivate(), new X509Certificate[] {cert, certificate});
    }

    /**
     * A leaf, valid for a year, naming {@code commonName} only in the subject's CN, without Subject Alternative
     * Names: what RFC 6125 clients no longer accept, though the JDK's HTTPS identity check still does.
     */
    public Issued issueWithoutSan(String commonName) {
        Instant now = Instant.now();
        KeyPair keys = newKeyPair();
        X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        X509Certificate cert = signLeaf(issuer, new X500Name("CN=" + commonName), keys, keyPair.getPrivate(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
        return new Issued(cert, keys.getPrivate(), new X509Certificate[] {cert, certificate});
    }

    /** This CA's certificate as PEM. */
    public String pem() {
        return toPem(certificate);
    }

    public void writePem(Path file) {
        write(file, pem());
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate with its private key and chain (leaf first). */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate[] chain) {

        /** A server context presenting this certificate and chain. */
        public SSLContext serverContext() {
            try {
                char[] password = "test".toCharArray();
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("server", key, password, chain);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Chain (leaf first) as PEM. */
        public String chainPem() {
            StringBuilder sb = new StringBuilder();
            Arrays.stream(chain).forEach(c -> sb.append(toPem(c)));
            return sb.toString();
        }

        /** The key as PKCS#8 PEM: OpenSSL 3 (Postfix, nginx) refuses a bare "EC PRIVATE KEY" without curve parameters. */
        public String keyPem() {
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        }

        /** Writes the chain and the key (mode 0600 is left to the caller) as PEM files. */
        public void writePem(Path chainFile, Path keyFile) {
            write(chainFile, chainPem());
            write(keyFile, keyPem());
        }
    }

    private static X509Certificate signLeaf(X500Name issuer, X500Name subject, KeyPair keys, PrivateKey signer,
            Instant notBefore, Instant notAfter, String... dnsNames) {
        try {
            X509v3CertificateBuilder builder = builder(issuer, subject, keys, notBefore, notAfter);
            GeneralName[] names = Arrays.stream(dnsNames).map(n -> new GeneralName(GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            if (names.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            return convert(builder, signer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509Certificate sign(X500Name issuer, X500Name subject, KeyPair keys, PrivateKey signer,
            Instant notBefore, Instant notAfter, boolean ca) {
        try {
            X509v3CertificateBuilder builder = builder(issuer, subject, keys, notBefore, notAfter);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return convert(builder, signer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys,
            Instant notBefore, Instant notAfter) {
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
    }

    private static X509Certificate convert(X509v3CertificateBuilder builder, PrivateKey signer) {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(256);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String toPem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
