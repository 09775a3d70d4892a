package io.github.mtasts.tlsrpt.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One table of figures, as the page shows it and as {@code /api/...} serves it in JSON and CSV: the page and the API
 * render the same value, so they cannot disagree.
 *
 * @param name    the table's name in the API path and in the JSON
 * @param window  the days the figures cover
 * @param columns the field names, which are the JSON keys and the CSV header
 * @param rows    values: {@link String}, {@link Long}, {@link Double} (a rate, 0 to 1), a {@link List} of longs (a
 *                daily series, oldest first) or null (not applicable)
 * @param more    rows the store holds beyond {@code rows}
 */
public record Table(String name, Window window, List<String> columns, List<List<Object>> rows, long more) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Table {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(window, "window");
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException(name + ": a row of " + row.size() + " values for "
                        + columns.size() + " columns");
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
        }
        rows = Collections.unmodifiableList(copy);
    }

    /** The value of {@code column} in {@code row}. */
    public Object value(List<Object> row, String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException(name + " has no column " + column);
        }
        return row.get(i);
    }

    /** {@code {"table":…,"days":…,"first":…,"last":…,"rows":[{column: value…}…],"more":…}}. */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("table", name);
        root.put("days", window.days());
        root.put("first", window.first().toString());
        root.put("last", window.last().toString());
        ArrayNode out = root.putArray("rows");
        for (List<Object> row : rows) {
            ObjectNode o = out.addObject();
            for (int i = 0; i < columns.size(); i++) {
                Object v = row.get(i);
                String c = columns.get(i);
                if (v == null) {
                    o.putNull(c);
                } else if (v instanceof Long l) {
                    o.put(c, l);
                } else if (v instanceof Double d) {
                    o.put(c, d);
                } else if (v instanceof List<?> list) {
                    ArrayNode a = o.putArray(c);
                    list.forEach(x -> a.add((Long) x));
                } else {
                    o.put(c, v.toString());
                }
            }
        }
        root.put("more", more);
        return root.toString();
    }

    /**
     * RFC 4180 CSV with a header line, CRLF line ends. A text cell a spreadsheet would take for a formula (starting
     * with {@code = + - @}, tab or CR) gets a leading apostrophe, so a report's text never runs as one.
     */
    public String csv() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            out.append(i == 0 ? "" : ",").append(csvCell(columns.get(i)));
        }
        out.append("\r\n");
        for (List<Object> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                Object v = row.get(i);
                if (v instanceof List<?> list) {
                    out.append(String.join(" ", list.stream().map(String::valueOf).toList()));
                } else if (v instanceof Long || v instanceof Double) {
                    out.append(v);
                } else if (v != null) {
                    out.append(csvCell(v.toString()));
                }
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    static String csvCell(String text) {
        String t = text;
        if (!t.isEmpty() && "=+-@\t\r".indexOf(t.charAt(0)) >= 0) {
            t = "'" + t;
        }
        boolean quote = t.indexOf(',') >= 0 || t.indexOf('"') >= 0 || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0
                || !t.equals(text);
        return quote ? '"' + t.replace("\"", "\"\"") + '"' : t;
    }
}
