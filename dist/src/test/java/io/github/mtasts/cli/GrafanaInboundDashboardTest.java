package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.mtasts.tlsrpt.inbound.InboundMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GrafanaInboundDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "contrib", "grafana-inbound-reports.json");

    @Test
    void everyQueryUsesAMetricTheMilterExports() throws Exception {
        JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new InboundMetrics(registry);
        String exported = registry.scrape();

        List<String> metrics = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = Pattern.compile("mtasts_[a-z_]+").matcher(target.get("expr").textValue());
                while (m.find()) {
                    metrics.add(m.group());
                }
            }
        }

        assertThat(metrics).isNotEmpty();
        for (String metric : metrics) {
            assertThat(exported).as("metric %s in the Grafana dashboard", metric).containsAnyOf("\n" + metric + "{", "\n" + metric + " ");
        }
    }
}
