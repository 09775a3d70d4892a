package io.github.mtasts.tlsrpt.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

    private static final Window WINDOW = Window.ending(LocalDate.parse("2025-06-15"), 7);

    private static Table table(Object... values) {
        return new Table("t", WINDOW, List.of("name", "n", "rate", "series"), List.of(Arrays.asList(values)), 2);
    }

    @Test
    void csvCellsThatASpreadsheetWouldRunAsFormulaeAreDefused() {
        assertThat(Table.csvCell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(Table.csvCell("+1")).isEqualTo("\"'+1\"");
        assertThat(Table.csvCell("-1")).isEqualTo("\"'-1\"");
        assertThat(Table.csvCell("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
        assertThat(Table.csvCell("\tx")).isEqualTo("\"'\tx\"");
        assertThat(Table.csvCell("mx.example.com")).isEqualTo("mx.example.com");
        assertThat(Table.csvCell("a,b")).isEqualTo("\"a,b\"");
        assertThat(Table.csvCell("line\nbreak")).isEqualTo("\"line\nbreak\"");
    }

    @Test
    void csvHasAHeaderAndNumbersAsTheyAre() {
        assertThat(table("=cmd", 3L, 0.25, List.of(1L, 0L, 2L)).csv())
                .isEqualTo("name,n,rate,series\r\n\"'=cmd\",3,0.25,1 0 2\r\n");
        assertThat(table("x", 0L, null, List.of()).csv()).isEqualTo("name,n,rate,series\r\nx,0,,\r\n");
    }

    @Test
    void jsonHasTheWindowTheRowsAsObjectsAndHowManyMore() {
        assertThat(table("<b>", 3L, 0.25, List.of(1L, 2L)).json()).isEqualTo("{\"table\":\"t\",\"days\":7,"
                + "\"first\":\"2025-06-09\",\"last\":\"2025-06-15\",\"rows\":[{\"name\":\"<b>\",\"n\":3,\"rate\":0.25,"
                + "\"series\":[1,2]}],\"more\":2}");
    }

    @Test
    void aRowMustHaveAValuePerColumn() {
        assertThatThrownBy(() -> new Table("t", WINDOW, List.of("a"), List.of(List.of("x", "y")), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void htmlEscapesEveryStoredText() {
        String html = Html.table(table("<script>alert(1)</script>", 1L, 0.5, List.of(1L)), java.util.Map.of());
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
        assertThat(html).contains("<td class=\"rate\" data-value=\"0.5\">50.0%</td>");
    }

    @Test
    void domainTrendSaysSinceWhenAndWhetherTheSecondHalfFailsLess() {
        Window week = Window.ending(LocalDate.parse("2025-06-15"), 7);
        List<List<Object>> rows = new java.util.ArrayList<>();
        long[] failed = {0, 5, 5, 0, 0, 1, 0};
        for (int i = 0; i < 7; i++) {
            rows.add(Arrays.asList(week.first().plusDays(i).toString(), 10L, 10L - failed[i], failed[i], null, ""));
        }
        Table days = new Table("days", week, List.of("day", "sessions", "successful", "failed", "failure_rate",
                "policy_mode"), rows, 0);
        assertThat(DashboardPages.trend(days)).contains("Failures from <span class=\"first-failure\">2025-06-10",
                "to <span class=\"last-failure\">2025-06-14", "33.3% in the first half", "2.5% in the second",
                "<strong class=\"verdict\">better</strong>");
    }

    @Test
    void windowsAreOnlyTheOfferedRanges() {
        assertThat(Window.ending(LocalDate.parse("2025-06-15"), 1).first()).isEqualTo("2025-06-15");
        assertThat(Window.ending(LocalDate.parse("2025-06-15"), 90).dayList()).hasSize(90);
        assertThatThrownBy(() -> Window.ending(LocalDate.parse("2025-06-15"), 365))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
