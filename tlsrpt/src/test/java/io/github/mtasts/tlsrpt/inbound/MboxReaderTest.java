package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MboxReaderTest {

    private static List<MboxReader.Message> read(String mbox, long max) throws Exception {
        return read(new ByteArrayInputStream(mbox.getBytes(StandardCharsets.ISO_8859_1)), max);
    }

    private static List<MboxReader.Message> read(InputStream in, long max) throws Exception {
        MboxReader reader = new MboxReader(in, max);
        List<MboxReader.Message> messages = new ArrayList<>();
        for (MboxReader.Message m; (m = reader.next()) != null; ) {
            messages.add(m);
        }
        return messages;
    }

    private static String text(MboxReader.Message message) {
        return new String(message.content(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void fromLinesSeparateMessagesAndAreNotPartOfThem() throws Exception {
        List<MboxReader.Message> messages = read("""
                From a@example.net Mon Jan 10 09:59:10 2022
                Subject: one

                body one

                From b@example.net Mon Jan 10 10:00:00 2022
                Subject: two

                body two""", 1000);

        assertThat(messages).extracting(MboxReader.Message::index).containsExactly(1, 2);
        assertThat(text(messages.get(0))).isEqualTo("Subject: one\n\nbody one\n\n");
        assertThat(text(messages.get(1))).isEqualTo("Subject: two\n\nbody two");
    }

    @Test
    void quotedFromLinesLoseOneQuoteAsMboxrdWritesThem() throws Exception {
        List<MboxReader.Message> messages = read("""
                From a@example.net Mon Jan 10 09:59:10 2022
                Subject: quoting

                >From the start
                >>From the middle
                > From a quote
                """, 1000);

        assertThat(text(messages.get(0))).isEqualTo("Subject: quoting\n\nFrom the start\n>From the middle\n> From a quote\n");
    }

    @Test
    void textBeforeTheFirstFromLineIsIgnoredAndAnEmptyFileHasNoMessages() throws Exception {
        assertThat(read("", 1000)).isEmpty();
        assertThat(read("garbage\nFrom a@example.net Mon Jan 10 09:59:10 2022\nSubject: x\n", 1000))
                .singleElement().satisfies(m -> assertThat(text(m)).isEqualTo("Subject: x\n"));
    }

    @Test
    void messageOverTheLimitIsSkippedWithItsSizeAndTheNextOneIsRead() throws Exception {
        String big = "y".repeat(5000);
        List<MboxReader.Message> messages = read("From a@example.net Mon Jan 10 09:59:10 2022\nSubject: big\n\n" + big
                + "\nFrom b@example.net Mon Jan 10 10:00:00 2022\nSubject: small\n", 1000);

        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).oversized()).isTrue();
        assertThat(messages.get(0).size()).isEqualTo("Subject: big\n\n".length() + big.length() + 1);
        assertThat(text(messages.get(1))).isEqualTo("Subject: small\n");
    }

    @Test
    void aLineLongerThanTheLimitIsNotKeptInMemory() throws Exception {
        // 200 MB of one line, generated as it is read: the reader must skip it without holding it
        long lineBytes = 200L << 20;
        InputStream huge = new InputStream() {
            private final byte[] head = "From a@example.net Mon Jan 10 09:59:10 2022\nSubject: huge\n\n"
                    .getBytes(StandardCharsets.US_ASCII);
            private final byte[] tail = "\nFrom b@example.net Mon Jan 10 10:00:00 2022\nSubject: after\n"
                    .getBytes(StandardCharsets.US_ASCII);
            private long position;

            @Override
            public int read() {
                long total = head.length + lineBytes + tail.length;
                if (position >= total) {
                    return -1;
                }
                long p = position++;
                if (p < head.length) {
                    return head[(int) p];
                }
                if (p < head.length + lineBytes) {
                    return 'z';
                }
                return tail[(int) (p - head.length - lineBytes)];
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = 0;
                for (int c; n < len && (c = read()) >= 0; n++) {
                    b[off + n] = (byte) c;
                }
                return n == 0 && len > 0 ? -1 : n;
            }
        };

        List<MboxReader.Message> messages = read(huge, 1 << 20);

        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).oversized()).isTrue();
        assertThat(messages.get(0).size()).isEqualTo("Subject: huge\n\n".length() + lineBytes + 1);
        assertThat(text(messages.get(1))).isEqualTo("Subject: after\n");
    }
}
