package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class InboundMetricsTest {

    @Test
    void outcomesAppearUnderTheirPrometheusNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        InboundMetrics metrics = new InboundMetrics(registry);

        metrics.received();
        metrics.received();
        metrics.stored();
        metrics.rejected();
        metrics.overLimit("policies");

        String scrape = registry.scrape();
        assertThat(scrape).contains(
                "mtasts_inbound_reports_received_total 2.0",
                "mtasts_inbound_reports_total{outcome=\"stored\"} 1.0",
                "mtasts_inbound_reports_total{outcome=\"duplicate\"} 0.0",
                "mtasts_inbound_reports_total{outcome=\"rejected\"} 1.0",
                "mtasts_inbound_reports_over_limit_total{limit=\"policies\"} 1.0");
    }
}
