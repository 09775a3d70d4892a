package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dane: auto} asks {@code postconf}; scripts stand in for it here, as Postfix's postconf would answer. */
class DaneSetupPostconfTest {

    @TempDir
    Path dir;

    @Test
    void dnssecAfterPostfixWarningsTurnsDaneOn() throws Exception {
        DaneSetup.PostfixDnssec answer = DaneSetup.postfixDnssec(script("""
                echo "postconf: warning: /etc/postfix/main.cf, line 9: overriding earlier entry: relayhost=" >&2
                [ "$1 $2" = "-h smtp_dns_support_level" ] || exit 3
                echo dnssec
                """));

        assertThat(answer.on()).isTrue();
        assertThat(answer.reason()).isEqualTo("postconf -h smtp_dns_support_level says \"dnssec\"");
    }

    @Test
    void anEmptyLevelLeavesDaneOff() throws Exception {
        DaneSetup.PostfixDnssec answer = DaneSetup.postfixDnssec(script("echo\n"));

        assertThat(answer.on()).isFalse();
        assertThat(answer.reason()).isEqualTo("postconf -h smtp_dns_support_level says \"\"");
    }

    /**
     * Postfix sleeps before it exits on a fatal error: the fatal line is the answer, with what it says. The script
     * sleeps 60 s, beyond the 10 s postconf is given, so reading to its exit would have answered "no answer".
     */
    @Test
    void aFatalErrorIsTheAnswerWithoutWaitingForPostconfToExit() throws Exception {
        DaneSetup.PostfixDnssec answer = DaneSetup.postfixDnssec(script("""
                echo "postconf: fatal: open /etc/postfix/main.cf: No such file or directory" >&2
                sleep 60
                exit 1
                """));

        assertThat(answer.on()).isFalse();
        assertThat(answer.reason()).isEqualTo("postconf -h smtp_dns_support_level failed: "
                + "postconf: fatal: open /etc/postfix/main.cf: No such file or directory");
    }

    @Test
    void aFailingPostconfLeavesDaneOffSayingHow() throws Exception {
        DaneSetup.PostfixDnssec answer = DaneSetup.postfixDnssec(script("echo dnssec\nexit 1\n"));

        assertThat(answer.on()).isFalse();
        assertThat(answer.reason()).endsWith("failed: exit status 1");
    }

    @Test
    void aMissingPostconfLeavesDaneOff() {
        DaneSetup.PostfixDnssec answer = DaneSetup.postfixDnssec(List.of(dir.resolve("no-postconf").toString()));

        assertThat(answer.on()).isFalse();
        assertThat(answer.reason()).contains("failed: could not be run");
    }

    private List<String> script(String body) throws Exception {
        Path script = dir.resolve("postconf");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return List.of(script.toString());
    }
}
