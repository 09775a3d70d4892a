package io.github.mtasts.tlsrpt.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimKeysTest {

    private static KeyPair rsa;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rsa = generator.generateKeyPair();
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    @Test
    void readsPkcs8Pem() throws Exception {
        Path file = Files.writeString(tmp.resolve("k.pem"), pem("PRIVATE KEY", rsa.getPrivate().getEncoded()));
        assertThat(DkimKeys.load(file).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
    }

    @Test
    void readsPkcs8Der() throws Exception {
        Path file = Files.write(tmp.resolve("k.der"), rsa.getPrivate().getEncoded());
        assertThat(DkimKeys.load(file).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
    }

    @Test
    void readsPkcs1PemAsOpendkimGenkeyWritesIt() throws Exception {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(rsa.getPrivate());
        }
        assertThat(pem.toString()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Path file = Files.writeString(tmp.resolve("k.private"), "leading text is ignored\n" + pem);
        assertThat(DkimKeys.load(file).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
    }

    @Test
    void encryptedKeyIsRefusedNamingTheFileAndTheForm() throws Exception {
        Path file = Files.writeString(tmp.resolve("enc.pem"), pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> DkimKeys.load(file)).hasMessageContaining(file.toString())
                .hasMessageContaining("holds a \"ENCRYPTED PRIVATE KEY\"");
    }

    @Test
    void ed25519KeyIsRefused() throws Exception {
        byte[] der = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
        Path file = Files.writeString(tmp.resolve("ed.pem"), pem("PRIVATE KEY", der));
        assertThatThrownBy(() -> DkimKeys.load(file)).hasMessageContaining("holds an Ed25519 key");
    }

    @Test
    void garbageMissingEndAndMissingFileAreRefused() throws Exception {
        Path garbage = Files.writeString(tmp.resolve("garbage"), "not a key");
        assertThatThrownBy(() -> DkimKeys.load(garbage)).hasMessageContaining("is not an RSA private key");
        Path truncated = Files.writeString(tmp.resolve("cut.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
        assertThatThrownBy(() -> DkimKeys.load(truncated)).hasMessageContaining("no \"-----END PRIVATE KEY-----\" line");
        Path missing = tmp.resolve("missing.pem");
        assertThatThrownBy(() -> DkimKeys.load(missing)).hasMessageContaining(missing + " cannot be read");
    }
}
