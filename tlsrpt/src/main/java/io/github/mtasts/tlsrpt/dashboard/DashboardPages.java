package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.tlsrpt.aggregate.AggregateStoreException;
import io.github.mtasts.tlsrpt.aggregate.FailureFigures;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The three pages: the overview ({@code /}), a policy domain ({@code /domain/NAME}) and a reporting organisation
 * ({@code /org/NAME}). Each is made of {@link DashboardTables} tables, the same the API serves, and links every
 * table to its JSON and CSV.
 */
final class DashboardPages {

    private DashboardPages() {
    }

    /** Keeps the range and the caller's {@code linkQuery} (e.g. {@code &token=…}) on every link. */
    private static Function<String, String> domainLink(Window w, String linkQuery) {
        return name -> "/domain/" + Html.segment(name) + "?days=" + w.days() + linkQuery;
    }

    private static Function<String, String> orgLink(Window w, String linkQuery) {
        return name -> "/org/" + Html.segment(name) + "?days=" + w.days() + linkQuery;
    }

    static String overview(DashboardTables tables, Window w, String linkQuery) {
        StringBuilder html = new StringBuilder();
        html.append("<header><h1>TLS failures</h1>").append(Html.range("/", w, linkQuery))
                .append("<span class=\"window\">").append(w.first()).append(" to ").append(w.last())
                .append(" UTC</span></header>\n");
        Table summary = tables.summary(w);
        html.append("<section id=\"summary\"><div class=\"cards\">");
        for (List<Object> row : summary.rows()) {
            String side = (String) row.get(0);
            card(html, side, "sessions", summary.value(row, "sessions"), false);
            card(html, side, "failed", summary.value(row, "failed"), true);
            Object rate = summary.value(row, "failure_rate");
            card(html, side, "failure_rate", rate == null ? null : Html.percent((Double) rate), true);
            if ("outbound".equals(side)) {
                card(html, side, "failing_names", summary.value(row, "failing_names") + " of "
                        + summary.value(row, "names"), true);
            } else {
                card(html, side, "names", summary.value(row, "names"), false);
            }
        }
        html.append("</div>").append(Html.apiLinks("/api/summary", w, linkQuery)).append("</section>\n");

        html.append("<div class=\"sides\"><section id=\"outbound\"><h2>Outbound: destinations by failed sessions</h2>\n");
        if (tables.outboundUnavailable().isPresent()) {
            unavailable(html, tables.outboundUnavailable().get());
        } else {
            try {
                html.append(Html.table(tables.domains(w), Map.of("domain", domainLink(w, linkQuery))))
                        .append(Html.apiLinks("/api/domains", w, linkQuery))
                        .append("<h3>Destinations by policy type</h3>")
                        .append(Html.table(tables.policyTypes(w), Map.of()))
                        .append(Html.apiLinks("/api/policy-types", w, linkQuery));
            } catch (AggregateStoreException e) {
                // the inbound side and the policy cache are still worth showing
                unavailable(html, e.getMessage());
            }
        }
        html.append("</section>\n<section id=\"inbound\"><h2>Inbound: reporters by failed sessions</h2>\n")
                .append(Html.table(tables.organizations(w), Map.of("organization", orgLink(w, linkQuery))))
                .append(Html.apiLinks("/api/organizations", w, linkQuery)).append("</section></div>\n");

        html.append("<section id=\"policy-cache\"><h2>Policy cache</h2><div class=\"grid\"><div>")
                .append("<h3>Cached policies by mode</h3>")
                .append(Html.table(tables.policyModes(w), Map.of()))
                .append(Html.apiLinks("/api/policy-modes", w, linkQuery))
                .append("</div><div><h3>Expiring within ").append(DashboardTables.EXPIRING.toDays()).append(" days</h3>")
                .append(Html.table(tables.policyExpiring(w), Map.of("domain", domainLink(w, linkQuery))))
                .append(Html.apiLinks("/api/policy-expiring", w, linkQuery))
                .append("</div></div><h3>Discovery errors of the last ").append(DashboardTables.ERROR_DAYS)
                .append(" days</h3>")
                .append(Html.table(tables.discoveryErrors(w), Map.of()))
                .append(Html.apiLinks("/api/discovery-errors", w, linkQuery)).append("</section>\n");
        return Html.page("mtasts: TLS failures", html.toString());
    }

    private static void unavailable(StringBuilder html, String reason) {
        html.append("<p class=\"unavailable\">Outbound figures unavailable: ").append(Html.escape(reason))
                .append("</p>\n");
    }

    private static void card(StringBuilder html, String side, String figure, Object value, boolean failure) {
        boolean bad = failure && value != null && !"0".equals(value.toString()) && !"0.0%".equals(value.toString())
                && !value.toString().startsWith("0 of");
        html.append("<div class=\"card").append(bad ? " bad" : "").append("\" data-side=\"").append(side)
                .append("\" data-figure=\"").append(figure).append("\"><div class=\"label\">").append(side).append(' ')
                .append(figure.replace('_', ' ').replace("names", "outbound".equals(side) ? "domains" : "organisations"))
                .append("</div><div class=\"figure\">").append(value == null ? "\u2013" : Html.escape(value.toString()))
                .append("</div></div>");
    }

    static String domain(DashboardTables tables, String domain, Window w, String linkQuery) {
        String path = "/domain/" + Html.segment(domain);
        String api = "/api" + path;
        StringBuilder html = new StringBuilder();
        html.append("<header><a class=\"back\" href=\"").append(Html.escape("/?days=" + w.days() + linkQuery))
                .append("\">\u2190 overview</a><h1 data-domain=\"").append(Html.escape(domain)).append("\">")
                .append(Html.escape(domain)).append("</h1>").append(Html.range(path, w, linkQuery))
                .append("</header>\n");
        if (tables.outboundUnavailable().isPresent()) {
            unavailable(html, tables.outboundUnavailable().get());
            return Html.page("mtasts: " + domain, html.toString());
        }
        Table days = tables.domainDays(domain, w);
        html.append("<section id=\"days\"><h2>Sessions and failures by day</h2>").append(trend(days))
                .append(Html.bars(days))
                .append("<details><summary>table</summary>").append(Html.table(days, Map.of()))
                .append("</details>").append(Html.apiLinks(api + "/days", w, linkQuery)).append("</section>\n");
        html.append("<section id=\"failures\"><h2>Failed sessions by</h2><div class=\"grid\">");
        for (FailureFigures.Dimension d : FailureFigures.Dimension.values()) {
            html.append("<div><h3>").append(d.column().replace('_', ' ')).append("</h3>")
                    .append(Html.table(tables.domainFailures(domain, d, w), Map.of()))
                    .append(Html.apiLinks(api + "/" + d.column(), w, linkQuery)).append("</div>");
        }
        html.append("</div></section>\n<section id=\"policies\"><h2>Policies in force</h2>")
                .append(Html.table(tables.domainPolicies(domain, w), Map.of()))
                .append(Html.apiLinks(api + "/policies", w, linkQuery)).append("</section>\n");
        html.append("<section id=\"reports\"><h2>Reports we sent</h2>");
        if (tables.deliveriesAvailable()) {
            html.append(Html.table(tables.domainReports(domain, w), Map.of()))
                    .append(Html.apiLinks(api + "/reports", w, linkQuery));
        } else {
            html.append("<p>The report queue is not readable by this process.</p>");
        }
        html.append("</section>\n");
        html.append("<section id=\"reporters\"><h2>What others reported about it</h2>")
                .append(Html.table(tables.domainReporters(domain, w), Map.of("organization", orgLink(w, linkQuery))))
                .append(Html.apiLinks(api + "/reporters", w, linkQuery)).append("</section>\n");
        return Html.page("mtasts: " + domain, html.toString());
    }

    /**
     * One line that answers "since when, and is it getting better": the first and last day with failures, and the
     * failure rate of the range's second half against its first (a one-day range has no halves).
     */
    static String trend(Table days) {
        String first = null;
        String last = null;
        long[] failed = new long[2];
        long[] sessions = new long[2];
        int n = days.rows().size();
        for (int i = 0; i < n; i++) {
            List<Object> row = days.rows().get(i);
            long f = (Long) days.value(row, "failed");
            int half = i < n / 2 ? 0 : 1;
            failed[half] += f;
            sessions[half] += (Long) days.value(row, "sessions");
            if (f > 0) {
                first = first == null ? (String) row.get(0) : first;
                last = (String) row.get(0);
            }
        }
        StringBuilder line = new StringBuilder("<p class=\"trend\">");
        if (first == null) {
            return line.append("No failed sessions in this range.</p>\n").toString();
        }
        line.append("Failures from <span class=\"first-failure\">").append(first)
                .append("</span> to <span class=\"last-failure\">").append(last).append("</span>");
        if (n > 1 && sessions[0] > 0 && sessions[1] > 0) {
            double before = failed[0] / (double) sessions[0];
            double after = failed[1] / (double) sessions[1];
            String verdict = after < before * 0.8 ? "better" : after > before * 1.25 ? "worse" : "about the same";
            line.append("; failure rate ").append(Html.percent(before)).append(" in the first half of the range, ")
                    .append(Html.percent(after)).append(" in the second: <strong class=\"verdict\">").append(verdict)
                    .append("</strong>");
        }
        return line.append(".</p>\n").toString();
    }

    static String organization(DashboardTables tables, String organization, Window w, String linkQuery) {
        String path = "/org/" + Html.segment(organization);
        String api = "/api" + path;
        StringBuilder html = new StringBuilder();
        html.append("<header><a class=\"back\" href=\"").append(Html.escape("/?days=" + w.days() + linkQuery))
                .append("\">\u2190 overview</a><h1 data-organization=\"").append(Html.escape(organization))
                .append("\">").append(Html.escape(organization)).append("</h1>").append(Html.range(path, w, linkQuery))
                .append("</header>\n");
        html.append("<section id=\"org-domains\"><h2>What it saw of our domains</h2>")
                .append(Html.table(tables.organizationDomains(organization, w), Map.of()))
                .append(Html.apiLinks(api + "/domains", w, linkQuery)).append("</section>\n")
                .append("<section id=\"org-failures\"><h2>Failures it reported</h2>")
                .append(Html.table(tables.organizationFailures(organization, w), Map.of()))
                .append(Html.apiLinks(api + "/failures", w, linkQuery)).append("</section>\n");
        return Html.page("mtasts: " + organization, html.toString());
    }
}
