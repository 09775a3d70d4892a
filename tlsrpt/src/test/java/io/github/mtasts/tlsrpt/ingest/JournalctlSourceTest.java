package io.github.mtasts.tlsrpt.ingest;

import io.github.mtasts.tlsrpt.logs.SourceId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalctlSourceTest {
    private static final String CURSOR = "s=0b4c;i=4ece7;b=5f6e;m=2b3c4d5e;t=5ee4c6f0a1b2c;x=9f8e";

    @Test
    void parsesUnitsAndStoresItsCursorUnderThem() {
        JournalctlSource source = JournalctlSource.parse("journald:postfix*,postfix-out@-.service");
        assertThat(source.units()).containsExactly("postfix*", "postfix-out@-.service");
        assertThat(source.id()).isEqualTo(new SourceId("journal:postfix*,postfix-out@-.service"));
        assertThat(JournalctlSource.isJournal("/var/log/mail.log")).isFalse();
    }

    @Test
    void refusesASourceWithoutOrWithABlankUnit() {
        assertThatThrownBy(() -> JournalctlSource.parse("journald:")).hasMessageContaining("names no unit");
        assertThatThrownBy(() -> JournalctlSource.parse("journald:postfix,")).hasMessageContaining("invalid unit");
        assertThatThrownBy(() -> JournalctlSource.parse("journald:post fix")).hasMessageContaining("invalid unit");
    }

    @Test
    void firstRunReadsAllTheJournalHoldsThenAfterTheCursorOrFromTheOldestOpenConnection() {
        JournalctlSource source = JournalctlSource.parse("journald:postfix*");
        assertThat(source.command("", 0, 0, false))
                .containsExactly("journalctl", "--output=json", "--no-pager", "--unit=postfix*", "--lines=all");
        assertThat(source.command(CURSOR, 1_700_000_000_000_000L, 1_700_000_000_000_000L, true))
                .containsExactly("journalctl", "--output=json", "--no-pager", "--unit=postfix*",
                        "--after-cursor=" + CURSOR, "--follow");
        assertThat(source.command(CURSOR, 1_699_999_940_500_000L, 1_700_000_000_000_000L, true))
                .containsExactly("journalctl", "--output=json", "--no-pager", "--unit=postfix*",
                        "--since=@1699999940", "--follow");
    }
}
