package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.mtasts.resolver.policy.TxtRecordException.Kind;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StsTxtRecordTest {

    private static TxtRecordException error(String record) {
        return catchThrowableOfType(() -> StsTxtRecord.parse(record), TxtRecordException.class);
    }

    private static TxtRecordException selectError(List<String> records) {
        return catchThrowableOfType(() -> StsTxtRecord.select(records), TxtRecordException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=STSv1; id=20160831085700Z", "v=STSv1; id=20160831085700Z;", "v=STSv1;id=20160831085700Z",
            "v=STSv1 ; id=20160831085700Z ;  ", "v=STSv1\t;\tid=20160831085700Z", "v=STSv1; ext=a:b/c; id=20160831085700Z",
            "v=STSv1; id=20160831085700Z; x-y_z.1=!\"#$%&'()*+,-./:<>?@[]^_`{|}~",
            "v=STSv1; a2345678901234567890123456789012=1; id=20160831085700Z"})
    void acceptsValidRecords(String record) throws Exception {
        assertThat(StsTxtRecord.parse(record).id()).isEqualTo("20160831085700Z");
    }

    @Test
    void idOf32CharactersIsAccepted() throws Exception {
        String id = "a".repeat(16) + "0123456789ABCDEF";
        assertThat(StsTxtRecord.parse("v=STSv1; id=" + id).id()).isEqualTo(id);
    }

    @Test
    void idOf33CharactersIsInvalid() {
        TxtRecordException e = error("v=STSv1; id=" + "a".repeat(33));
        assertThat(e.kind()).isEqualTo(Kind.INVALID);
        assertThat(e.getMessage()).startsWith("id must be 1-32 letters or digits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=STSv1; id=2024-01-01", "v=STSv1; id=abc_1", "v=STSv1; id=", "v=STSv1; id", "v=STSv1; id=é1"})
    void idWithAnythingButLettersAndDigitsIsInvalid(String record) {
        assertThat(error(record).getMessage()).startsWith("id must be 1-32 letters or digits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=STSv1", "v=STSv1;", "v=STSv1; ext=1"})
    void idIsRequired(String record) {
        assertThat(error(record).getMessage()).startsWith("the id field is required");
    }

    @Test
    void secondIdIsInvalid() {
        assertThat(error("v=STSv1; id=1; id=2").getMessage()).startsWith("more than one id field");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id=1; v=STSv1", " v=STSv1; id=1", "V=STSv1; id=1", "v=stsv1; id=1", "v=STSv2; id=1"})
    void versionMustComeFirstExactly(String record) {
        assertThat(error(record).getMessage()).startsWith("must begin with \"v=STSv1\"");
    }

    @Test
    void versionMustEndAtTheDelimiter() {
        assertThat(error("v=STSv10; id=1").getMessage()).contains("must be followed by \";\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=STSv1; id = 1", "v=STSv1; id =1", "v=STSv1; id= 1", "v=STSv1; id=1 2", "v=STSv1 id=1",
            "v=STSv1; id=1 ", "v=STSv1; id=1; ext =2"})
    void whitespaceOutsideTheDelimitersIsInvalid(String record) {
        assertThat(error(record).kind()).isEqualTo(Kind.INVALID);
    }

    @Test
    void fieldIsIdOnlyWithoutSpaceBeforeTheEqualsSign() {
        assertThat(error("v=STSv1; id =1").getMessage()).startsWith("id must be 1-32 letters or digits, got \"\"");
        assertThat(error("v=STSv1; id=1 2").getMessage()).startsWith("expected \";\" at position 15");
    }

    @Test
    void emptyFieldBetweenDelimitersIsInvalid() {
        assertThat(error("v=STSv1;; id=1").getMessage()).startsWith("empty field");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v=STSv1; id=1; _x=1", "v=STSv1; id=1; a23456789012345678901234567890123=1", "v=STSv1; id=1; x",
            "v=STSv1; id=1; x=", "v=STSv1; id=1; x=a=b", "v=STSv1; id=1; x=é"})
    void malformedExtensionIsInvalid(String record) {
        assertThat(error(record).kind()).isEqualTo(Kind.INVALID);
    }

    @Test
    void selectPicksTheOnlyStsRecord() throws Exception {
        assertThat(StsTxtRecord.select(List.of("v=spf1 -all", "v=STSv1; id=abc", "hello")).id()).isEqualTo("abc");
    }

    @Test
    void selectWithoutStsRecordsIsNoRecord() {
        assertThat(selectError(List.of()).kind()).isEqualTo(Kind.NO_RECORD);
        assertThat(selectError(List.of("v=spf1 -all", "V=STSv1; id=1", " v=STSv1; id=1")).kind()).isEqualTo(Kind.NO_RECORD);
    }

    @Test
    void selectDiscardsRecordsWithALongerVersion() throws Exception {
        assertThat(StsTxtRecord.select(List.of("v=STSv10; id=a", "v=STSv1; id=b")).id()).isEqualTo("b");
        assertThat(selectError(List.of("v=STSv10; id=a")).kind()).isEqualTo(Kind.NO_RECORD);
    }

    @Test
    void selectWithTwoStsRecordsIsMultipleRecords() {
        TxtRecordException e = selectError(List.of("v=STSv1; id=a", "v=STSv1 ; id=b"));
        assertThat(e.kind()).isEqualTo(Kind.MULTIPLE_RECORDS);
        assertThat(e.getMessage()).startsWith("2 TXT records");
    }

    @Test
    void selectCountsAnInvalidStsRecordAsACandidate() {
        assertThat(selectError(List.of("v=STSv1; id=a", "v=STSv1")).kind()).isEqualTo(Kind.MULTIPLE_RECORDS);
        assertThat(selectError(List.of("v=STSv1; id=a-b")).kind()).isEqualTo(Kind.INVALID);
    }

    @Property(tries = 2000)
    void arbitraryRecordThrowsOnlyTxtRecordException(@ForAll("recordLikeText") String record) {
        try {
            assertThat(StsTxtRecord.parse(record).id()).matches("[A-Za-z0-9]{1,32}");
        } catch (TxtRecordException e) {
            assertThat(e.kind()).isEqualTo(Kind.INVALID);
        }
    }

    @Property(tries = 500)
    void selectThrowsOnlyTxtRecordException(@ForAll("recordLists") List<String> records) {
        try {
            assertThat(StsTxtRecord.select(records).id()).isNotEmpty();
        } catch (TxtRecordException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> recordLikeText() {
        Arbitrary<String> fragments = Arbitraries.of("v=STSv1", "id=", "id", ";", " ", "\t", "=", "abc", "1", "-", "é",
                "x_y", "v=STSv10", "\u0000");
        return Arbitraries.oneOf(
                fragments.list().ofMaxSize(20).map(list -> String.join("", list)),
                Arbitraries.strings().ofMaxLength(80),
                Arbitraries.strings().ofMaxLength(40).map(tail -> "v=STSv1" + tail));
    }

    @Provide
    Arbitrary<List<String>> recordLists() {
        return recordLikeText().list().ofMaxSize(4);
    }
}
