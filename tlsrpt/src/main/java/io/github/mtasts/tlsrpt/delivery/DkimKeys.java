package io.github.mtasts.tlsrpt.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads a DKIM private key file once, at start-up, so a bad file stops the reporter with a message naming it
 * rather than failing every report later.
 */
final class DkimKeys {

    private static final String PKCS8 = "PRIVATE KEY";
    private static final String PKCS1_RSA = "RSA PRIVATE KEY";
    /** AlgorithmIdentifier of rsaEncryption (RFC 8017 A.1): SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private DkimKeys() {
    }

    /**
     * The RSA signing key (rsa-sha256, RFC 6376 §3.3).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    static RSAPrivateKey load(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("DKIM key file " + file + " cannot be read: " + e);
        }
        String text = new String(content, StandardCharsets.US_ASCII);
        byte[] pkcs8;
        int begin = text.indexOf("-----BEGIN ");
        if (begin >= 0) {
            int labelEnd = text.indexOf("-----", begin + 11);
            if (labelEnd < 0) {
                throw new IllegalArgumentException("DKIM key file " + file + ": unterminated PEM BEGIN line");
            }
            String label = text.substring(begin + 11, labelEnd);
            byte[] der = pemBody(file, text, label);
            if (label.equals(PKCS1_RSA)) {
                pkcs8 = wrapPkcs1(der);
            } else if (label.equals(PKCS8)) {
                pkcs8 = der;
            } else {
                throw new IllegalArgumentException("DKIM key file " + file + " holds a \"" + label
                        + "\"; expected an unencrypted \"PRIVATE KEY\" (PKCS#8) or \"RSA PRIVATE KEY\" (PKCS#1)");
            }
        } else {
            pkcs8 = content;
        }
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException notRsa) {
            if (isEd25519(pkcs8)) {
                // utils-mail-dkim 3.2.0 signs Ed25519 with NONEwithEdDSA over the header data itself, while RFC 8463
                // §3 signs the SHA-256 hash of it: verifiers (dkimpy, OpenDKIM) reject such signatures.
                throw new IllegalArgumentException("DKIM key file " + file + " holds an Ed25519 key; the signing"
                        + " library does not produce RFC 8463 ed25519-sha256 signatures that verify, use an RSA key");
            }
            throw new IllegalArgumentException("DKIM key file " + file + " is not an RSA private key: "
                    + notRsa.getMessage());
        }
    }

    private static boolean isEd25519(byte[] pkcs8) {
        try {
            KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] pemBody(Path file, String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int start = text.indexOf(begin);
        int stop = text.indexOf(end, start);
        if (stop < 0) {
            throw new IllegalArgumentException("DKIM key file " + file + ": no \"" + end + "\" line");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), stop));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DKIM key file " + file + ": invalid base64 in PEM body: " + e.getMessage());
        }
    }

    /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey: SEQUENCE { INTEGER 0, rsaEncryption, OCTET STRING }. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(0x30);
        info.writeBytes(derLength(body.size()));
        info.writeBytes(body.toByteArray());
        return info.toByteArray();
    }

    private static byte[] derLength(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }
}
