package io.github.mtasts.resolver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class YamlTreeTest {

    /** What the configuration was read with before: the tree must not change under any section's owner. */
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    @ParameterizedTest
    @ValueSource(strings = {
        "host: 127.0.0.1\nport: 8461\nreuse_port: true\ncache_grace: 60\n",
        "port:\npath: ''\nshutdown_timeout: 2.5\nbig: 12345678901\nhuge: 123456789012345678901234567890\n",
        "default_zone: {strict_testing: false, timeout: 4}\nzones:\n  a: {tlsrpt: false}\n  b: null\n",
        "preload: [example.com, '[192.0.2.1]', 7, 1.5e3, ~, no, on, 0x1f, -3]\n",
        "overrides:\n  x.example: {secure: {match: [mx1.example.com, .example.net]}}\n  .dane.example: dane-only\n",
        "nested: [[1, 2], {a: [b, {c: d}]}, []]\nempty_map: {}\n",
        "- a list\n- at the top\n",
        "just a scalar\n",
        "'quoted: 1'\n",
        "first: 1\n---\nsecond: 2\n",
    })
    void buildsTheTreeAMapperReads(String yaml) throws Exception {
        JsonNode tree = YamlTree.parse(yaml);

        assertThat(tree).isEqualTo(MAPPER.readTree(yaml));
        assertThat(tree.toString()).isEqualTo(MAPPER.readTree(yaml).toString());
    }

    @Test
    void integersKeepTheirWidth() throws Exception {
        JsonNode tree = YamlTree.parse("small: 4\nlarge: 5000000000\n");

        assertThat(tree.get("small").isInt()).isTrue();
        assertThat(tree.get("large").isLong()).isTrue();
    }

    @Test
    void aKeyWithoutValueIsNull() throws Exception {
        assertThat(YamlTree.parse("port:\n").get("port").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "# only a comment\n"})
    void aDocumentWithoutContentIsMissing(String yaml) throws Exception {
        assertThat(YamlTree.parse(yaml).isMissingNode()).isTrue();
    }

    @Test
    void aDuplicateKeyIsAnError() {
        assertThatThrownBy(() -> YamlTree.parse("zones:\n  a: {}\n  a: {}\n"))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void aSyntaxErrorIsTheParsersOwn() {
        assertThatThrownBy(() -> YamlTree.parse("host: [127.0.0.1\nport: 1\n"))
                .isInstanceOf(JsonProcessingException.class);
    }
}
