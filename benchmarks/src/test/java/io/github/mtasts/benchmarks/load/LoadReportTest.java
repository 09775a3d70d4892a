package io.github.mtasts.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadReportTest {

    /** 1000 latencies of 1..1000 µs over 2 s. */
    private static LoadReport report(long malformed) {
        Histogram h = new Histogram(60_000_000L, 3);
        for (int us = 1; us <= 1000; us++) {
            h.recordValue(us);
        }
        return new LoadReport("127.0.0.1:8461", 16, Duration.ofSeconds(2), 1000, h, 1, 2, malformed, 4);
    }

    @Test
    void rateIsRequestsOverTheMeasuredDuration() {
        assertThat(report(0).requestsPerSecond()).isEqualTo(500.0);
    }

    @Test
    void errorsAddUpEveryKind() {
        assertThat(report(3).errors()).isEqualTo(10);
    }

    @Test
    void textShowsPercentilesInMillisecondsAndErrorsByKind() {
        String text = report(3).toText();
        assertThat(text).contains("requests/s    500")
                .contains("p50 0.500  p99 0.990  p99.9 0.999  max 1.000")
                .contains("errors        10 (connect 1, closed by server 2, malformed 3, unexpected 4)");
    }

    @Test
    void jsonCarriesTheSameFigures() {
        assertThat(report(3).toJson()).isEqualTo("{\"target\":\"127.0.0.1:8461\",\"connections\":16,\"duration_s\":2.000,"
                + "\"requests\":1000,\"requests_per_s\":500.0,\"p50_ms\":0.500,\"p99_ms\":0.990,\"p999_ms\":0.999,"
                + "\"max_ms\":1.000,\"errors\":10,\"connect_failures\":1,\"closed_by_server\":2,\"malformed_replies\":3,"
                + "\"unexpected_replies\":4}");
    }

    @Test
    void emptyHistogramReportsZeroLatencies() {
        LoadReport r = new LoadReport("t", 1, Duration.ofSeconds(1), 0, new Histogram(1000, 3), 1, 0, 0, 0);
        assertThat(r.toText()).contains("p50 0.000  p99 0.000  p99.9 0.000  max 0.000");
    }

    @Test
    void zeroDurationIsRejected() {
        assertThatThrownBy(() -> new LoadReport("t", 1, Duration.ZERO, 0, new Histogram(1000, 3), 0, 0, 0, 0))
                .hasMessageContaining("duration");
    }
}
