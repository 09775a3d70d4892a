package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManPagesTest {

    @Test
    void everyCommandGetsAPageNamedByItsPath(@TempDir Path dir) throws IOException {
        List<Path> pages = ManPages.write(Main.commandLine(), dir);
        assertThat(pages).extracting(p -> p.getFileName().toString())
                .contains("mtasts.1", "mtasts-daemon.1", "mtasts-query.1", "mtasts-config-check.1",
                        "mtasts-tlsrpt-run.1");
    }

    @Test
    void pageIsRoffWithTheHelpTextsOptionsEscaped(@TempDir Path dir) throws IOException {
        ManPages.write(Main.commandLine(), dir);
        String daemon = Files.readString(dir.resolve("mtasts-daemon.1"));
        assertThat(daemon).startsWith(".TH MTASTS-DAEMON 1 \"\" \"mtasts 0.1.0\" \"mtasts manual\"\n.SH NAME\n"
                + "mtasts\\-daemon \\- ");
        // "-" is a hyphen to roff; options need the minus sign so they can be searched and copied
        assertThat(daemon).contains("\\-\\-config=FILE").doesNotContain("--config");
        assertThat(daemon).contains(".SH SEE ALSO\n.BR mtasts (1)\n");
    }

    @Test
    void aHelpLineStartingWithADotIsNotARequest() {
        StringBuilder roff = new StringBuilder();
        String page = ManPages.page(Main.commandLine(), Main.commandLine());
        for (String line : page.split("\n")) {
            if (line.startsWith(".") && !line.matches("\\.(TH|SH|nf|fi|BR) ?.*")) {
                roff.append(line).append('\n');
            }
        }
        assertThat(roff.toString()).isEmpty();
    }
}
