package io.github.mtasts.tlsrpt.dashboard;

import io.github.mtasts.resolver.store.CachedPolicy;
import io.github.mtasts.resolver.store.DiscoveryFailureCount;
import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.tlsrpt.aggregate.DomainDay;
import io.github.mtasts.tlsrpt.inbound.InboundSummary;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders the dashboard for a window of UTC days: a chart of the daily failure rate of our sessions (outbound)
 * next to what others reported of their sessions to us (inbound); per policy domain and day our successful and
 * failed sessions with the failures by result type and receiving MX; per reporting organisation what it saw; then
 * the policy cache. Plain server-side HTML and SVG, no script. Pure: data in, text out.
 *
 * <p>The inbound part shows what others sent us, so its size must not follow them: it comes summed and cut to
 * {@link InboundSummary.Limits} from the store, each cut says how many rows it left out, and every text from a
 * report is shortened to {@value #MAX_CELL} characters. The page is then bounded whatever the store holds.
 */
public final class DashboardPage {

    /** Where a received report names no policy domain (Microsoft and others omit it at times). */
    static final String NO_DOMAIN = "(no policy domain)";

    /** The longest text from a received report shown in one cell; the full text is in the stored JSON. */
    static final int MAX_CELL = 100;

    private static final int DAY_WIDTH = 22;
    private static final int PLOT_LEFT = 40;
    private static final int PLOT_TOP = 10;
    private static final int PLOT_HEIGHT = 120;
    /** Room under the plot for the day labels, written at an angle. */
    private static final int LABEL_HEIGHT = 44;

    /** Failed and total sessions of one day. */
    record Rate(long failed, long total) {
        Rate plus(long moreFailed, long moreTotal) {
            return new Rate(failed + moreFailed, total + moreTotal);
        }

        double value() {
            return total == 0 ? 0 : (double) failed / total;
        }
    }

    /** One bar per day in the chart. */
    record Series(String name, String cssClass, Map<LocalDate, Rate> days) {
    }

    /** A failure-details key of ours without the policy: the same failure under two policies is one row. */
    private record OutboundFailure(LocalDate day, String resultType, String receivingMx, String receivingIp,
                                   String reason) {
    }

    private DashboardPage() {
    }

    public static String render(DashboardData data) {
        List<LocalDate> days = data.first().datesUntil(data.last().plusDays(1)).toList();
        Map<LocalDate, Rate> outboundTotals = new TreeMap<>();
        if (data.outbound() instanceof Outbound.Figures figures) {
            for (DomainDay d : figures.days()) {
                outboundTotals.merge(d.day(), new Rate(d.failures(), d.successes() + d.failures()),
                        (a, b) -> a.plus(b.failed(), b.total()));
            }
        }
        Map<LocalDate, Rate> inboundTotals = rates(data.inbound().days());

        StringBuilder html = new StringBuilder(8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>mtasts: TLS dashboard</title><style>")
                .append("body{font-family:sans-serif;margin:1em 2em}table{border-collapse:collapse;margin:.5em 0 1.5em}")
                .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td.text,th.text{text-align:left}")
                .append("rect.outbound,.swatch.outbound{fill:#2c7fb8;background:#2c7fb8}")
                .append("rect.inbound,.swatch.inbound{fill:#d95f0e;background:#d95f0e}")
                .append(".swatch{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}")
                .append("line.grid{stroke:#ddd}text{font-size:10px;fill:#333}")
                .append("p.unavailable{color:#a00}.more{font-style:italic}</style></head><body>\n")
                .append("<h1>TLS dashboard</h1>\n<p id=\"window\">UTC days ").append(data.first()).append(" to ")
                .append(data.last()).append("</p>\n");

        html.append("<section id=\"overview\"><h2>Daily failure rate</h2>\n");
        chart(html, days, List.of(new Series("outbound", "outbound", outboundTotals),
                new Series("inbound", "inbound", inboundTotals)));
        html.append("</section>\n");

        outbound(html, days, data.outbound());
        inbound(html, days, data.inbound());
        policyCache(html, data.policies(), data.discoveryFailures());
        return html.append("</body></html>\n").toString();
    }

    private static void outbound(StringBuilder html, List<LocalDate> days, Outbound outbound) {
        html.append("<section id=\"outbound\"><h2>Outbound: our sessions</h2>\n");
        if (outbound instanceof Outbound.Unavailable unavailable) {
            html.append("<p class=\"unavailable\">Outbound figures unavailable: ").append(escape(unavailable.reason()))
                    .append("</p>\n</section>\n");
            return;
        }
        List<DomainDay> figures = ((Outbound.Figures) outbound).days();
        if (figures.isEmpty()) {
            html.append("<p>No sessions counted in these days.</p>\n");
        }
        // domain → day → successful and failed sessions over every policy of that day
        Map<String, Map<LocalDate, long[]>> counts = new TreeMap<>();
        Map<String, Map<OutboundFailure, Long>> failures = new TreeMap<>();
        for (DomainDay d : figures) {
            long[] c = counts.computeIfAbsent(d.policyDomain(), k -> new TreeMap<>())
                    .computeIfAbsent(d.day(), k -> new long[2]);
            c[0] += d.successes();
            c[1] += d.failures();
            for (DomainDay.FailureCount f : d.failureDetails()) {
                failures.computeIfAbsent(d.policyDomain(), k -> new TreeMap<>(Comparator
                                .comparing(OutboundFailure::day).thenComparing(OutboundFailure::resultType)
                                .thenComparing(OutboundFailure::receivingMx).thenComparing(OutboundFailure::receivingIp)
                                .thenComparing(OutboundFailure::reason)))
                        .merge(new OutboundFailure(d.day(), f.detail().resultType().rfcName(),
                                f.detail().receivingMxHostname(), f.detail().receivingIp(),
                                f.detail().failureReasonCode()), f.sessions(), Long::sum);
            }
        }
        for (var domain : counts.entrySet()) {
            html.append("<section class=\"domain\" data-domain=\"").append(escape(domain.getKey())).append("\"><h3>")
                    .append(escape(domain.getKey())).append("</h3>\n");
            Map<LocalDate, Rate> rates = new TreeMap<>();
            domain.getValue().forEach((day, c) -> rates.put(day, new Rate(c[1], c[0] + c[1])));
            chart(html, days, List.of(new Series("outbound", "outbound", rates)));
            html.append("<table class=\"sessions\"><tr><th class=\"text\">day</th><th>successful</th>")
                    .append("<th>failed</th><th>failure rate</th></tr>\n");
            for (var day : domain.getValue().entrySet()) {
                long[] c = day.getValue();
                html.append("<tr data-day=\"").append(day.getKey()).append("\"><td class=\"text\">")
                        .append(day.getKey()).append("</td><td class=\"successful\">").append(c[0])
                        .append("</td><td class=\"failed\">").append(c[1]).append("</td><td>")
                        .append(percent(new Rate(c[1], c[0] + c[1]).value())).append("</td></tr>\n");
            }
            html.append("</table>\n");
            Map<OutboundFailure, Long> domainFailures = failures.getOrDefault(domain.getKey(), Map.of());
            if (!domainFailures.isEmpty()) {
                html.append("<h4>Failures by result type and receiving MX</h4><table class=\"failures\"><tr>")
                        .append("<th class=\"text\">day</th><th class=\"text\">result type</th>")
                        .append("<th class=\"text\">receiving MX</th><th class=\"text\">receiving IP</th>")
                        .append("<th>sessions</th><th class=\"text\">reason</th></tr>\n");
                domainFailures.forEach((f, sessions) -> html.append("<tr data-day=\"").append(f.day())
                        .append("\"><td class=\"text\">").append(f.day())
                        .append("</td><td class=\"text result-type\">").append(escape(f.resultType()))
                        .append("</td><td class=\"text mx\">").append(escape(f.receivingMx()))
                        .append("</td><td class=\"text\">").append(escape(f.receivingIp()))
                        .append("</td><td class=\"sessions\">").append(sessions)
                        .append("</td><td class=\"text\">").append(escape(f.reason())).append("</td></tr>\n"));
                html.append("</table>\n");
            }
            html.append("</section>\n");
        }
        html.append("</section>\n");
    }

    private static Map<LocalDate, Rate> rates(List<InboundSummary.DayCount> counts) {
        Map<LocalDate, Rate> rates = new TreeMap<>();
        counts.forEach(c -> rates.put(c.day(), new Rate(c.failed(), c.successful() + c.failed())));
        return rates;
    }

    private static void inbound(StringBuilder html, List<LocalDate> days, InboundSummary inbound) {
        html.append("<section id=\"inbound\"><h2>Inbound: reports others sent us</h2>\n<p id=\"summary\">")
                .append(inbound.reports()).append(inbound.reports() == 1 ? " report" : " reports").append(" from ")
                .append(inbound.organizations()).append(inbound.organizations() == 1 ? " organisation" : " organisations")
                .append("</p>\n");
        for (InboundSummary.Domain domainFigures : inbound.domains()) {
            String domain = domainFigures.domain().orElse(NO_DOMAIN);
            html.append("<section class=\"domain\" data-domain=\"").append(cell(domain)).append("\"><h3>")
                    .append(cell(domain)).append("</h3>\n");
            chart(html, days, List.of(new Series("inbound", "inbound", rates(domainFigures.days()))));
            html.append("<table class=\"sessions\"><tr><th class=\"text\">day</th><th class=\"text\">organisation</th>")
                    .append("<th>successful</th><th>failed</th><th>failure rate</th></tr>\n");
            for (InboundSummary.OrgDay row : domainFigures.rows()) {
                html.append("<tr data-day=\"").append(row.day()).append("\" data-organization=\"")
                        .append(cell(row.organization())).append("\"><td class=\"text\">").append(row.day())
                        .append("</td><td class=\"text\">").append(cell(row.organization()))
                        .append("</td><td class=\"successful\">").append(row.successful())
                        .append("</td><td class=\"failed\">").append(row.failed()).append("</td><td>")
                        .append(percent(new Rate(row.failed(), row.successful() + row.failed()).value()))
                        .append("</td></tr>\n");
            }
            more(html, domainFigures.moreRows(), 5, "rows (day and organisation)");
            html.append("</table>\n");
            if (!domainFigures.failures().isEmpty()) {
                html.append("<h4>Failure details</h4><table class=\"failures\"><tr><th class=\"text\">day</th>")
                        .append("<th class=\"text\">organisation</th><th class=\"text\">result type</th>")
                        .append("<th class=\"text\">sending MTA</th><th class=\"text\">receiving MX</th>")
                        .append("<th class=\"text\">receiving IP</th><th>sessions</th>")
                        .append("<th class=\"text\">reason</th></tr>\n");
                for (InboundSummary.Failure f : domainFigures.failures()) {
                    String[] cells = {f.day().toString(), f.organization(), f.resultType(), f.sendingMtaIp(),
                            f.receivingMx(), f.receivingIp(), Long.toString(f.sessions()), f.reasonCode()};
                    html.append("<tr>");
                    for (int i = 0; i < cells.length; i++) {
                        html.append(i == 6 ? "<td>" : "<td class=\"text\">").append(cell(cells[i])).append("</td>");
                    }
                    html.append("</tr>\n");
                }
                more(html, domainFigures.moreFailures(), 8, "failure rows (those with the fewest sessions)");
                html.append("</table>\n");
            }
            html.append("</section>\n");
        }
        if (inbound.moreDomains() > 0) {
            html.append("<p class=\"more\" id=\"more-domains\">").append(inbound.moreDomains())
                    .append(" more policy domains not shown (those with the fewest failed sessions)</p>\n");
        }
        html.append("</section>\n");
    }

    /** The line that stands for the rows a table leaves out. */
    private static void more(StringBuilder html, long more, int columns, String what) {
        if (more > 0) {
            html.append("<tr class=\"more\"><td class=\"text\" colspan=\"").append(columns).append("\">").append(more)
                    .append(" more ").append(what).append(" not shown</td></tr>\n");
        }
    }

    /** Text from a received report for one cell: shortened, then escaped. */
    static String cell(String text) {
        int end = text.length() <= MAX_CELL ? text.length()
                : MAX_CELL - (Character.isHighSurrogate(text.charAt(MAX_CELL - 1)) ? 1 : 0);
        return escape(end == text.length() ? text : text.substring(0, end) + "\u2026");
    }

    private static void policyCache(StringBuilder html, List<CachedPolicy> policies, List<DiscoveryFailureCount> failures) {
        // the latest day's failures of each domain: its last error
        Map<String, List<DiscoveryFailureCount>> lastErrors = new TreeMap<>();
        for (DiscoveryFailureCount f : failures) {
            List<DiscoveryFailureCount> known = lastErrors.get(f.domain());
            if (known == null || known.get(0).day().isBefore(f.day())) {
                lastErrors.put(f.domain(), new ArrayList<>(List.of(f)));
            } else if (known.get(0).day().equals(f.day())) {
                known.add(f);
            }
        }
        Map<String, CachedPolicy> byDomain = new TreeMap<>();
        policies.forEach(p -> byDomain.put(p.domain(), p));
        TreeSet<String> domains = new TreeSet<>(byDomain.keySet());
        domains.addAll(lastErrors.keySet());
        html.append("<section id=\"policy-cache\"><h2>Policy cache</h2>\n");
        if (domains.isEmpty()) {
            html.append("<p>No policies cached.</p></section>\n");
            return;
        }
        html.append("<table class=\"policies\"><tr>")
                .append("<th class=\"text\">domain</th><th class=\"text\">mode</th><th>max_age</th>")
                .append("<th class=\"text\">mx</th><th class=\"text\">last refresh</th><th class=\"text\">expires</th>")
                .append("<th class=\"text\">last checked</th><th class=\"text\">last error</th></tr>\n");
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
                        .append("</td><td class=\"text expires\">").append(policy.expiresAt())
                        .append("</td><td class=\"text\">").append(policy.lastCheckedAt()).append("</td>");
            }
            html.append("<td class=\"text last-error\">");
            for (DiscoveryFailureCount f : lastErrors.getOrDefault(domain, List.of())) {
                html.append(f.day()).append(' ').append(f.type().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                        .append(" \u00d7").append(f.count()).append(": ").append(escape(f.lastDetail())).append("<br>");
            }
            html.append("</td></tr>\n");
        }
        html.append("</table></section>\n");
    }

    /**
     * Bars of the daily failure rate, one group per day of the window and one bar per series in it; a day
     * without sessions has no bar. The y axis reads 0 to 100 %, each day is labelled under its group.
     */
    private static void chart(StringBuilder html, List<LocalDate> days, List<Series> series) {
        int width = PLOT_LEFT + days.size() * DAY_WIDTH + 10;
        int height = PLOT_TOP + PLOT_HEIGHT + LABEL_HEIGHT;
        int bottom = PLOT_TOP + PLOT_HEIGHT;
        html.append("<svg class=\"failure-rate\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"daily failure rate, ")
                .append(String.join(" and ", series.stream().map(Series::name).toList())).append("\">");
        for (int percent = 0; percent <= 100; percent += 50) {
            int y = bottom - percent * PLOT_HEIGHT / 100;
            html.append("<line class=\"grid\" x1=\"").append(PLOT_LEFT).append("\" y1=\"").append(y)
                    .append("\" x2=\"").append(width - 10).append("\" y2=\"").append(y).append("\"/>")
                    .append("<text class=\"rate-label\" x=\"").append(PLOT_LEFT - 4).append("\" y=\"").append(y + 3)
                    .append("\" text-anchor=\"end\">").append(percent).append("%</text>");
        }
        int barWidth = (DAY_WIDTH - 4) / series.size();
        for (int i = 0; i < days.size(); i++) {
            LocalDate day = days.get(i);
            int x = PLOT_LEFT + i * DAY_WIDTH + 2;
            for (int s = 0; s < series.size(); s++) {
                Rate rate = series.get(s).days().get(day);
                if (rate == null || rate.total() == 0) {
                    continue;
                }
                // at least a sliver, so a day with sessions and no failure shows it was counted
                int barHeight = Math.max(1, (int) Math.round(rate.value() * PLOT_HEIGHT));
                html.append("<rect class=\"").append(series.get(s).cssClass()).append("\" data-day=\"").append(day)
                        .append("\" x=\"").append(x + s * barWidth).append("\" y=\"").append(bottom - barHeight)
                        .append("\" width=\"").append(barWidth).append("\" height=\"").append(barHeight)
                        .append("\"><title>").append(day).append(' ').append(series.get(s).name()).append(": ")
                        .append(percent(rate.value())).append(" failed (").append(rate.failed()).append(" of ")
                        .append(rate.total()).append(")</title></rect>");
            }
            int labelX = x + (DAY_WIDTH - 4) / 2;
            int labelY = bottom + 12;
            html.append("<text class=\"day-label\" data-day=\"").append(day).append("\" x=\"").append(labelX)
                    .append("\" y=\"").append(labelY).append("\" text-anchor=\"end\" transform=\"rotate(-60 ")
                    .append(labelX).append(' ').append(labelY).append(")\">")
                    .append(String.format(Locale.ROOT, "%02d-%02d", day.getMonthValue(), day.getDayOfMonth()))
                    .append("</text>");
        }
        html.append("</svg>\n");
        if (series.size() > 1) {
            html.append("<p class=\"legend\">");
            series.forEach(s -> html.append("<span class=\"swatch ").append(s.cssClass()).append("\"></span>")
                    .append(escape(s.name())));
            html.append("</p>\n");
        }
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
