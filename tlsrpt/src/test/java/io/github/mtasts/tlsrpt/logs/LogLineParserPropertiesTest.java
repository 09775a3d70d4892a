package io.github.mtasts.tlsrpt.logs;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

class LogLineParserPropertiesTest {
    private final LogLineParser parser = new LogLineParser(ZoneId.of("Europe/Berlin"),
            Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneId.of("UTC")), 512);

    @Property(tries = 2000)
    void neverThrowsOnArbitraryText(@ForAll @StringLength(max = 600) String text) {
        assertThat(parser.parse(text)).isNotNull();
    }

    @Property(tries = 2000)
    void neverThrowsOnArbitraryTextAfterAValidTimestamp(@ForAll @StringLength(max = 200) String rest) {
        assertThat(parser.parse("Nov 29 01:37:57 " + rest)).isNotNull();
        assertThat(parser.parse("2026-11-29T01:37:57.1+01:00 " + rest)).isNotNull();
        assertThat(parser.parse("2026-11-29T01:37:57" + rest)).isNotNull();
    }

    @Property(tries = 1000)
    void anyMessageSurvivesUnchanged(@ForAll @StringLength(max = 300) String message) {
        ParseResult result = parser.parse("Nov 29 01:37:57 mx postfix/smtp[42]: " + message);
        assertThat(result).isInstanceOfAny(ParseResult.Parsed.class, ParseResult.Rejected.class);
        if (result instanceof ParseResult.Parsed parsed) {
            assertThat(parsed.line().message()).isEqualTo(message);
        } else {
            assertThat(((ParseResult.Rejected) result).reason()).isIn(RejectReason.OVERSIZE);
        }
    }
}
