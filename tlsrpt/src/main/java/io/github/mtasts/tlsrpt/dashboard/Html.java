package io.github.mtasts.tlsrpt.dashboard;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The pieces every dashboard page is made of: the layout with its stylesheet (served inline: the page needs nothing
 * from outside the daemon), the range selector, a {@link Table} as HTML and a daily series as an SVG sparkline.
 * Every text that comes from a store passes {@link #escape} (or {@link #cell}, which also shortens it).
 */
final class Html {

    /** Longest text shown in one cell; the API has the whole text. */
    static final int MAX_CELL = 100;

    private static final String STYLE = """
            :root{--fail:#c62828;--ok:#2e7d32;--muted:#666}
            *{box-sizing:border-box}
            body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:0 1rem 2rem;color:#222;max-width:1400px}
            header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 1.5rem;padding:.75rem 0;
              border-bottom:1px solid #ddd}
            h1{font-size:1.3rem;margin:0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}h3{font-size:1rem;margin:.8rem 0 .3rem}
            nav.range a{padding:.15rem .5rem;border:1px solid #bbb;border-radius:3px;text-decoration:none;color:#225}
            nav.range a.current{background:#225;color:#fff;border-color:#225}
            .cards{display:flex;flex-wrap:wrap;gap:.5rem}
            .card{border:1px solid #ddd;border-radius:4px;padding:.4rem .7rem;min-width:8.5rem}
            .card .figure{font-size:1.3rem;font-weight:600}.card .label{color:var(--muted);font-size:.8rem}
            .card.bad .figure{color:var(--fail)}
            .sides,.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:0 1.5rem}
            .scroll{overflow-x:auto;max-width:100%}
            table{border-collapse:collapse;margin:.2rem 0}
            th,td{padding:.2rem .4rem;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
            th{background:#f4f4f4;font-weight:600;white-space:normal}
            td.text,th.text{text-align:left}
            td.failure_reason_code,td.last_detail,td.mx{white-space:normal;min-width:12rem}
            td.dominant_result_type{white-space:normal;min-width:7rem}
            td.failed{color:var(--fail);font-weight:600}
            tr.more td{color:var(--muted);font-style:italic;text-align:left}
            .api{font-size:.8rem;color:var(--muted)}.api a{color:var(--muted)}
            p.unavailable{color:var(--fail)}
            svg.sparkline polyline{fill:none;stroke:var(--fail);stroke-width:1.5;vector-effect:non-scaling-stroke}
            svg.bars rect.failed{fill:var(--fail)}svg.bars rect.successful{fill:#a5d6a7}
            svg.bars text{font-size:10px;fill:var(--muted)}
            """;

    private Html() {
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<meta name=\"referrer\" content=\"no-referrer\"><title>" + escape(title) + "</title><style>"
                + STYLE + "</style></head><body>\n" + body + "</body></html>\n";
    }

    /** The range links of a page at {@code path}; {@code linkQuery} (already URL-encoded) is kept on each. */
    static String range(String path, Window window, String linkQuery) {
        StringBuilder html = new StringBuilder("<nav class=\"range\" aria-label=\"range\">");
        for (int days : Window.CHOICES) {
            html.append("<a data-days=\"").append(days).append("\" href=\"")
                    .append(escape(path + "?days=" + days + linkQuery)).append('"')
                    .append(days == window.days() ? " class=\"current\" aria-current=\"page\"" : "").append('>')
                    .append(days == 1 ? "1 day" : days + " days").append("</a> ");
        }
        return html.append("</nav>").toString();
    }

    /** Links to {@code api} (a path under /api) as JSON and CSV. */
    static String apiLinks(String api, Window window, String linkQuery) {
        String q = "?days=" + window.days() + linkQuery;
        return "<p class=\"api\">data: <a class=\"json\" href=\"" + escape(api + q) + "\">JSON</a> \u00b7 "
                + "<a class=\"csv\" href=\"" + escape(api + ".csv" + q) + "\">CSV</a></p>\n";
    }

    /**
     * {@code table} as HTML: one {@code <td class="COLUMN">} per value, rows keyed by their first value in
     * {@code data-key}; {@code links} turns a column's value into the address it links to.
     */
    static String table(Table table, Map<String, Function<String, String>> links) {
        StringBuilder html = new StringBuilder("<div class=\"scroll\"><table class=\"")
                .append(escape(table.name())).append("\" data-table=\"").append(escape(table.name())).append("\"><tr>");
        for (String c : table.columns()) {
            html.append("<th class=\"").append(textColumn(table, c) ? "text " : "").append(escape(c)).append("\">")
                    .append(escape(c.replace('_', ' '))).append("</th>");
        }
        html.append("</tr>\n");
        for (List<Object> row : table.rows()) {
            html.append("<tr data-key=\"").append(escape(String.valueOf(row.get(0)))).append("\">");
            for (int i = 0; i < row.size(); i++) {
                String c = table.columns().get(i);
                Object v = row.get(i);
                html.append("<td class=\"").append(textColumn(table, c) ? "text " : "").append(escape(c)).append('"');
                if (v instanceof Double || v instanceof Long) {
                    html.append(" data-value=\"").append(v).append('"');
                }
                html.append('>');
                if (v == null) {
                    html.append("\u2013");
                } else if (v instanceof Double d) {
                    html.append(percent(d));
                } else if (v instanceof List<?> series) {
                    html.append(sparkline(series.stream().map(x -> (Long) x).toList()));
                } else if (v instanceof String s && links.containsKey(c)) {
                    html.append("<a href=\"").append(escape(links.get(c).apply(s))).append("\">")
                            .append(s.isEmpty() ? "(none)" : cell(s)).append("</a>");
                } else {
                    html.append(cell(v.toString()));
                }
                html.append("</td>");
            }
            html.append("</tr>\n");
        }
        if (table.rows().isEmpty()) {
            html.append("<tr class=\"none\"><td class=\"text\" colspan=\"").append(table.columns().size())
                    .append("\">nothing in this range</td></tr>\n");
        }
        if (table.more() > 0) {
            html.append("<tr class=\"more\"><td colspan=\"").append(table.columns().size()).append("\">")
                    .append(table.more()).append(" more not shown</td></tr>\n");
        }
        return html.append("</table></div>\n").toString();
    }

    private static boolean textColumn(Table table, String column) {
        for (List<Object> row : table.rows()) {
            Object v = table.value(row, column);
            if (v != null) {
                return v instanceof String;
            }
        }
        return true;
    }

    /** A 64×20 line of the daily values, oldest left, scaled to the largest. */
    static String sparkline(List<Long> values) {
        long max = Math.max(1, values.stream().mapToLong(Long::longValue).max().orElse(1));
        StringBuilder points = new StringBuilder();
        int n = values.size();
        for (int i = 0; i < n; i++) {
            double x = n == 1 ? 50 : i * 100.0 / (n - 1);
            double y = 19 - values.get(i) * 18.0 / max;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        if (n == 1) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f", 60.0, 19 - values.get(0) * 18.0 / max));
        }
        return "<svg class=\"sparkline\" width=\"64\" height=\"20\" viewBox=\"0 0 100 20\""
                + " preserveAspectRatio=\"none\" role=\"img\" aria-label=\""
                + "daily failed sessions: " + String.join(" ", values.stream().map(String::valueOf).toList())
                + "\"><polyline points=\"" + points.toString().trim() + "\"/></svg>";
    }

    /** Daily bars of successful (light) and failed (red) sessions stacked, with the first and last day labelled. */
    static String bars(Table days) {
        int n = days.rows().size();
        int barWidth = Math.max(3, Math.min(24, 720 / Math.max(1, n)));
        int width = n * barWidth + 4;
        long max = 1;
        for (List<Object> row : days.rows()) {
            max = Math.max(max, (Long) days.value(row, "sessions"));
        }
        // scales down to a narrow screen's width, never up beyond its own
        StringBuilder svg = new StringBuilder("<div><svg class=\"bars\" viewBox=\"0 0 ").append(width)
                .append(" 134\" style=\"width:100%;max-width:").append(width)
                .append("px;height:auto\" role=\"img\" aria-label=\"sessions and failures by day\">");
        for (int i = 0; i < n; i++) {
            List<Object> row = days.rows().get(i);
            long sessions = (Long) days.value(row, "sessions");
            long failed = (Long) days.value(row, "failed");
            int h = (int) Math.round(sessions * 110.0 / max);
            int hf = (int) Math.round(failed * 110.0 / max);
            int x = 2 + i * barWidth;
            svg.append("<g data-day=\"").append(escape((String) row.get(0))).append("\"><title>").append(row.get(0))
                    .append(": ").append(failed).append(" of ").append(sessions).append(" failed</title>")
                    .append("<rect class=\"successful\" x=\"").append(x).append("\" y=\"").append(112 - h)
                    .append("\" width=\"").append(barWidth - 1).append("\" height=\"").append(h - hf).append("\"/>")
                    .append("<rect class=\"failed\" x=\"").append(x).append("\" y=\"").append(112 - hf)
                    .append("\" width=\"").append(barWidth - 1).append("\" height=\"").append(hf).append("\"/></g>");
        }
        if (n > 0) {
            svg.append("<text x=\"2\" y=\"128\">").append(escape((String) days.rows().get(0).get(0)))
                    .append("</text><text x=\"").append(width - 2).append("\" y=\"128\" text-anchor=\"end\">")
                    .append(escape((String) days.rows().get(n - 1).get(0))).append("</text>");
        }
        return svg.append("</svg></div>\n").toString();
    }

    static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    /** A path segment: {@code /} and every other reserved character encoded, space as %20. */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Text from a store for one cell: shortened, then escaped. */
    static String cell(String text) {
        int end = text.length() <= MAX_CELL ? text.length()
                : MAX_CELL - (Character.isHighSurrogate(text.charAt(MAX_CELL - 1)) ? 1 : 0);
        return escape(end == text.length() ? text : text.substring(0, end) + "\u2026");
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
