package io.github.mtasts.resolver.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mtasts.resolver.policy.PolicyMode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckRendererTest {

    private static final List<CheckItem> ITEMS = List.of(
            CheckItem.ok(CheckSection.MTA_STS_TXT, "_mta-sts.example.com", "one valid STS record, id 1"),
            CheckItem.fail(CheckSection.SMTP, "mx.example.com 192.0.2.1:25", "STARTTLS not offered"),
            CheckItem.warn(CheckSection.TLSRPT_TXT, "_smtp._tls.example.com", "no TLSRPT record"));
    private static final CheckReport REPORT = new CheckReport("example.com", ITEMS,
            Verdict.of(ITEMS, Optional.of(PolicyMode.TESTING)));

    @Test
    void tableHasAlignedColumnsAndTheVerdictWithoutColourOffATerminal() {
        String nl = System.lineSeparator();

        assertThat(CheckRenderer.table(REPORT, false)).isEqualTo(
                "MTA-STS check of example.com" + nl
                + "STATUS ITEM        SUBJECT                     REASON" + nl
                + "OK     mta-sts-txt _mta-sts.example.com        one valid STS record, id 1" + nl
                + "FAIL   smtp        mx.example.com 192.0.2.1:25 STARTTLS not offered" + nl
                + "WARN   tlsrpt-txt  _smtp._tls.example.com      no TLSRPT record" + nl
                + "VERDICT: NOT safe to move to enforce: 1 failing item, first smtp mx.example.com 192.0.2.1:25: "
                + "STARTTLS not offered" + nl);
    }

    @Test
    void colourPaintsOnlyTheStatus() {
        String table = CheckRenderer.table(REPORT, true);

        assertThat(table).contains("\u001b[32mOK    \u001b[0m mta-sts-txt", "\u001b[31mFAIL  \u001b[0m smtp",
                "\u001b[33mWARN  \u001b[0m tlsrpt-txt");
        assertThat(table.lines().filter(l -> l.contains("\u001b["))).hasSize(3);
    }

    @Test
    void jsonCarriesTheSameData() throws Exception {
        JsonNode json = new ObjectMapper().readTree(CheckRenderer.json(REPORT));

        assertThat(json.get("domain").asText()).isEqualTo("example.com");
        assertThat(json.get("items")).hasSize(3);
        JsonNode smtp = json.get("items").get(1);
        assertThat(smtp.get("section").asText()).isEqualTo("smtp");
        assertThat(smtp.get("subject").asText()).isEqualTo("mx.example.com 192.0.2.1:25");
        assertThat(smtp.get("status").asText()).isEqualTo("FAIL");
        assertThat(smtp.get("reason").asText()).isEqualTo("STARTTLS not offered");
        assertThat(json.get("verdict").get("safe_to_enforce").asBoolean()).isFalse();
        assertThat(json.get("verdict").get("text").asText()).isEqualTo(REPORT.verdict().text());
        assertThat(json.get("exit_code").asInt()).isEqualTo(1);
    }
}
