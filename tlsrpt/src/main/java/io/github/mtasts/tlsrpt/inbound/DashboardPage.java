package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.resolver.cache.CachedPolicy;
import io.github.mtasts.resolver.cache.DiscoveryFailureCount;
import io.github.mtasts.resolver.policy.MxPattern;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the dashboard: per policy domain and UTC day, what each reporting organisation saw of its deliveries
 * to us (successful and failed sessions, failure details), with an SVG chart of the daily failure rate; then
 * the policy cache (mode, expiry, last check, today's discovery failures). Plain server-side HTML, no script.
 * Pure: data in, text out.
 */
public final class DashboardPage {

    /** Where a report names no policy domain (Microsoft and others omit it at times). */
    static final String NO_DOMAIN = "(no policy domain)";

    private static final int BAR_WIDTH = 24;
    private static final int CHART_HEIGHT = 120;

    /** One organisation's figures for one domain and day, summed over its reports. */
    record Row(String organization, long successful, long failed, List<InboundFailure> failures) {
        double failureRate() {
            long total = successful + failed;
            return total == 0 ? 0 : (double) failed / total;
        }
    }

    private DashboardPage() {
    }

    /** The inbound reports alone, for a deployment without a policy cache to show. */
    public static String render(List<InboundReport> reports) {
        return render(reports, List.of(), List.of());
    }

    /**
     * The whole page: the inbound reports, then the policy cache with today's discovery failures.
     *
     * @param policies  the cached MTA-STS policies
     * @param discoveryFailures discovery failures of the current UTC day, per domain and type
     */
    public static String render(List<InboundReport> reports, List<CachedPolicy> policies,
                                List<DiscoveryFailureCount> discoveryFailures) {
        // domain → day → organisation → figures, all sorted for a stable page
        Map<String, Map<LocalDate, Map<String, Row>>> byDomain = new TreeMap<>();
        for (InboundReport report : reports) {
            LocalDate day = LocalDate.ofInstant(report.start(), ZoneOffset.UTC);
            for (InboundPolicy policy : report.policies()) {
                String domain = policy.policyDomain().orElse(NO_DOMAIN);
                Map<String, Row> orgs = byDomain.computeIfAbsent(domain, d -> new TreeMap<>())
                        .computeIfAbsent(day, d -> new TreeMap<>());
                Row old = orgs.get(report.organizationName());
                List<InboundFailure> failures = new ArrayList<>(old == null ? List.of() : old.failures());
                failures.addAll(policy.failures());
                orgs.put(report.organizationName(), new Row(report.organizationName(),
                        (old == null ? 0 : old.successful()) + policy.successfulSessions(),
                        (old == null ? 0 : old.failed()) + policy.failedSessions(), failures));
            }
        }
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>mtasts: inbound TLS reports</title><style>")
                .append("body{font-family:sans-serif;margin:1em 2em}table{border-collapse:collapse;margin:.5em 0 1.5em}")
                .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td.text,th.text{text-align:left}")
                .append("rect.rate{fill:#c0392b}rect.ok{fill:#27ae60}</style></head><body>\n")
                .append("<h1>Inbound TLS reports</h1>\n<p id=\"summary\">")
                .append(reports.size()).append(reports.size() == 1 ? " report" : " reports").append(" from ")
                .append(reports.stream().map(InboundReport::organizationName).distinct().count())
                .append(" organisations</p>\n");
        for (var domainEntry : byDomain.entrySet()) {
            String domain = domainEntry.getKey();
            html.append("<section class=\"domain\" data-domain=\"").append(escape(domain)).append("\"><h2>")
                    .append(escape(domain)).append("</h2>\n");
            chart(html, domainEntry.getValue());
            html.append("<table class=\"sessions\"><tr><th class=\"text\">day</th><th class=\"text\">organisation</th>")
                    .append("<th>successful</th><th>failed</th><th>failure rate</th></tr>\n");
            List<String[]> failureRows = new ArrayList<>();
            for (var dayEntry : domainEntry.getValue().entrySet()) {
                for (Row row : dayEntry.getValue().values()) {
                    html.append("<tr data-day=\"").append(dayEntry.getKey()).append("\" data-organization=\"")
                            .append(escape(row.organization())).append("\"><td class=\"text\">").append(dayEntry.getKey())
                            .append("</td><td class=\"text\">").append(escape(row.organization()))
                            .append("</td><td class=\"successful\">").append(row.successful())
                            .append("</td><td class=\"failed\">").append(row.failed())
                            .append("</td><td>").append(percent(row.failureRate())).append("</td></tr>\n");
                    for (InboundFailure f : row.failures()) {
                        failureRows.add(new String[] {dayEntry.getKey().toString(), row.organization(), f.resultType(),
                                f.sendingMtaIp().orElse(""), f.receivingMxHostname().orElse(""),
                                f.receivingIp().orElse(""), Long.toString(f.failedSessions()),
                                f.failureReasonCode().orElse("")});
                    }
                }
            }
            html.append("</table>\n");
            if (!failureRows.isEmpty()) {
                html.append("<h3>Failure details</h3><table class=\"failures\"><tr><th class=\"text\">day</th>")
                        .append("<th class=\"text\">organisation</th><th class=\"text\">result type</th>")
                        .append("<th class=\"text\">sending MTA</th><th class=\"text\">receiving MX</th>")
                        .append("<th class=\"text\">receiving IP</th><th>sessions</th>")
                        .append("<th class=\"text\">reason</th></tr>\n");
                for (String[] cells : failureRows) {
                    html.append("<tr>");
                    for (int i = 0; i < cells.length; i++) {
                        html.append(i == 6 ? "<td>" : "<td class=\"text\">").append(escape(cells[i])).append("</td>");
                    }
                    html.append("</tr>\n");
                }
                html.append("</table>\n");
            }
            html.append("</section>\n");
        }
        policyCache(html, policies, discoveryFailures);
        return html.append("</body></html>\n").toString();
    }

    private static void policyCache(StringBuilder html, List<CachedPolicy> policies, List<DiscoveryFailureCount> failures) {
        if (policies.isEmpty() && failures.isEmpty()) {
            return;
        }
        Map<String, List<DiscoveryFailureCount>> failuresByDomain = new TreeMap<>();
        failures.forEach(f -> failuresByDomain.computeIfAbsent(f.domain(), d -> new ArrayList<>()).add(f));
        Map<String, CachedPolicy> byDomain = new TreeMap<>();
        policies.forEach(p -> byDomain.put(p.domain(), p));
        java.util.Set<String> domains = new java.util.TreeSet<>(byDomain.keySet());
        domains.addAll(failuresByDomain.keySet());
        html.append("<section id=\"policy-cache\"><h2>Policy cache</h2>\n<table class=\"policies\"><tr>")
                .append("<th class=\"text\">domain</th><th class=\"text\">mode</th><th>max_age</th>")
                .append("<th class=\"text\">mx</th><th class=\"text\">fetched</th><th class=\"text\">expires</th>")
                .append("<th class=\"text\">last checked</th><th class=\"text\">discovery failures today</th></tr>\n");
        for (String domain : domains) {
            CachedPolicy policy = byDomain.get(domain);
            html.append("<tr data-domain=\"").append(escape(domain)).append("\"><td class=\"text\">")
                    .append(escape(domain)).append("</td>");
            if (policy == null) {
                html.append("<td class=\"text\" colspan=\"6\">no policy cached</td>");
            } else {
                html.append("<td class=\"text mode\">").append(policy.policy().mode().wireName())
                        .append("</td><td>").append(policy.policy().maxAge()).append("</td><td class=\"text\">")
                        .append(escape(String.join(" ", policy.policy().mx().stream().map(MxPattern::pattern).toList())))
                        .append("</td><td class=\"text\">").append(policy.fetchedAt())
                        .append("</td><td class=\"text\">").append(policy.expiresAt())
                        .append("</td><td class=\"text\">").append(policy.lastCheckedAt()).append("</td>");
            }
            html.append("<td class=\"text\">");
            for (DiscoveryFailureCount f : failuresByDomain.getOrDefault(domain, List.of())) {
                html.append(f.type().name().toLowerCase(Locale.ROOT).replace('_', '-')).append(" \u00d7").append(f.count()).append(": ")
                        .append(escape(f.lastDetail())).append("<br>");
            }
            html.append("</td></tr>\n");
        }
        html.append("</table></section>\n");
    }

    /** One bar per day: its height is the day's failure rate over all organisations. */
    private static void chart(StringBuilder html, Map<LocalDate, Map<String, Row>> days) {
        int width = Math.max(days.size(), 1) * (BAR_WIDTH + 4);
        html.append("<svg class=\"failure-rate\" width=\"").append(width).append("\" height=\"").append(CHART_HEIGHT)
                .append("\" role=\"img\" aria-label=\"daily failure rate\">");
        int x = 0;
        for (var day : days.entrySet()) {
            long failed = day.getValue().values().stream().mapToLong(Row::failed).sum();
            long total = failed + day.getValue().values().stream().mapToLong(Row::successful).sum();
            double rate = total == 0 ? 0 : (double) failed / total;
            int height = (int) Math.round(rate * (CHART_HEIGHT - 2));
            html.append("<rect class=\"ok\" x=\"").append(x).append("\" y=\"0\" width=\"").append(BAR_WIDTH)
                    .append("\" height=\"").append(CHART_HEIGHT - height).append("\"/>")
                    .append("<rect class=\"rate\" data-day=\"").append(day.getKey()).append("\" x=\"").append(x)
                    .append("\" y=\"").append(CHART_HEIGHT - height).append("\" width=\"").append(BAR_WIDTH)
                    .append("\" height=\"").append(height).append("\"><title>").append(day.getKey()).append(": ")
                    .append(percent(rate)).append(" failed</title></rect>");
            x += BAR_WIDTH + 4;
        }
        html.append("</svg>\n");
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
