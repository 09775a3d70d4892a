package io.github.mtasts.tlsrpt.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class StreamSourceTest {
    @TempDir
    Path dir;

    private final List<SourceLine> lines = new ArrayList<>();

    @Test
    void stdinStreamIsReadToItsEndIncludingAnUnterminatedLastLine() throws IOException {
        byte[] input = "one\ntwo\nthree".getBytes(StandardCharsets.UTF_8);
        StreamSource.read(new ByteArrayInputStream(input), SourceId.STDIN, 0, 1024, lines::add);

        assertThat(lines).containsExactly(
                new SourceLine(SourceId.STDIN, "one", false, 4),
                new SourceLine(SourceId.STDIN, "two", false, 8),
                new SourceLine(SourceId.STDIN, "three", false, 13));
    }

    @Test
    void gzipBacklogIsImportedWithUncompressedOffsetsAndResumes() throws IOException {
        Path gz = dir.resolve("mail.log.2.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("Nov 28 01:00:00 mx postfix/smtp[1]: a\nNov 28 01:00:01 mx postfix/smtp[1]: b\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        StreamSource.readGzip(gz, 0, 1024, lines::add);
        assertThat(lines).extracting(SourceLine::text).containsExactly(
                "Nov 28 01:00:00 mx postfix/smtp[1]: a", "Nov 28 01:00:01 mx postfix/smtp[1]: b");
        assertThat(lines.get(1).endOffset()).isEqualTo(76);
        SourceId id = StreamSource.gzipId(gz);
        assertThat(lines.get(0).source()).isEqualTo(id);
        assertThat(id.key()).startsWith("gzip:").contains("#size=" + Files.size(gz));

        lines.clear();
        StreamSource.readGzip(gz, 38, 1024, lines::add);
        assertThat(lines).extracting(SourceLine::text).containsExactly("Nov 28 01:00:01 mx postfix/smtp[1]: b");
    }
}
