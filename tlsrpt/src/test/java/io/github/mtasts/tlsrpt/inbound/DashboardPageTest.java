package io.github.mtasts.tlsrpt.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DashboardPageTest {

    private static InboundReport report(String org, String id, String domain, long ok, long failed,
                                        List<InboundFailure> failures) {
        return new InboundReport(org, id, Instant.parse("2024-05-01T00:00:00Z"), Instant.parse("2024-05-01T23:59:59Z"),
                Optional.empty(), List.of(new InboundPolicy("sts", List.of(), Optional.ofNullable(domain), List.of(),
                ok, failed, failures)), List.of());
    }

    @Test
    void reportsOfOneOrganisationForTheSameDomainAndDayAreSummed() {
        String html = DashboardPage.render(List.of(
                report("Example Org", "a", "example.com", 10, 2, List.of()),
                report("Example Org", "b", "example.com", 5, 3, List.of())));

        assertThat(html).contains("<tr data-day=\"2024-05-01\" data-organization=\"Example Org\">"
                + "<td class=\"text\">2024-05-01</td><td class=\"text\">Example Org</td>"
                + "<td class=\"successful\">15</td><td class=\"failed\">5</td><td>25.0%</td></tr>");
        assertThat(html).contains("<title>2024-05-01: 25.0% failed</title>");
    }

    @Test
    void senderSuppliedTextIsEscaped() {
        InboundFailure failure = new InboundFailure("validation-failure", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 1, Optional.empty(), Optional.of("<script>alert(1)</script>"));

        String html = DashboardPage.render(List.of(report("Evil & Co <x>", "a", "example.com", 0, 1, List.of(failure))));

        assertThat(html).doesNotContain("<script>").doesNotContain("Evil & Co <x>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;", "Evil &amp; Co &lt;x&gt;");
    }

    @Test
    void reportWithoutPolicyDomainIsShownUnderItsOwnHeading() {
        String html = DashboardPage.render(List.of(report("Example Org", "a", null, 1, 0, List.of())));

        assertThat(html).contains("<h2>" + DashboardPage.escape(DashboardPage.NO_DOMAIN) + "</h2>");
    }
}
