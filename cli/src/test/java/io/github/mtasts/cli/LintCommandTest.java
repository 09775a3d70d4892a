package io.github.mtasts.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.PolicyFetcher;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LintCommandTest {

    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n";

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    /** Through Main, as bin/mtasts runs it. */
    private static Run mtasts(String... args) {
        return run(new CommandLine(new Main()), args);
    }

    private static Run lintWithStdin(String stdin, String... args) {
        return run(new CommandLine(new LintCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))), args);
    }

    private Path file(String content) throws IOException {
        return Files.writeString(dir.resolve("mta-sts.txt"), content, StandardCharsets.UTF_8);
    }

    @Test
    void validPolicyFilePrintsParsedFieldsAndExitsZero() throws IOException {
        Run run = mtasts("lint", "policy", file(POLICY).toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(String.join(System.lineSeparator(),
                "valid MTA-STS policy", "mode: enforce", "max_age: 604800", "mx: mail.example.com", "mx: *.example.net", ""));
        assertThat(run.err()).isEmpty();
    }

    @Test
    void invalidPolicyPrintsTheLineAndRuleAndExitsOne() throws IOException {
        Run run = mtasts("lint", "policy", file("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: +86400\n").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(
                "invalid MTA-STS policy: line 4: \"max_age: +86400\": max_age must be 1 to 10 digits");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void dashReadsThePolicyFromStandardInput() {
        Run run = lintWithStdin(POLICY, "policy", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("mx: *.example.net");
    }

    @Test
    void invalidPolicyOnStandardInputExitsOne() {
        Run run = lintWithStdin("version: STSv1\nmode: testing\nmax_age: 1\n", "policy", "-");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("at least one mx field is required unless mode is none");
    }

    @Test
    void policyThatIsNotUtf8IsInvalid() throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.txt"),
                "version: STSv1\nmode: none\nmax_age: 1\nnote: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Run run = mtasts("lint", "policy", latin1.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("not valid UTF-8");
    }

    @Test
    void missingFileIsAnIoErrorExitingTwo() {
        Run run = mtasts("lint", "policy", dir.resolve("absent.txt").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("cannot read").contains("absent.txt").contains("no such file");
    }

    @Test
    void directoryIsAnIoErrorExitingTwo() {
        assertThat(mtasts("lint", "policy", dir.toString()).exitCode()).isEqualTo(2);
    }

    @Test
    void validTxtRecordPrintsTheIdAndExitsZero() {
        Run run = mtasts("lint", "txt", "v=STSv1; id=20160831085700Z;");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("valid MTA-STS TXT record" + System.lineSeparator()
                + "id: 20160831085700Z" + System.lineSeparator());
    }

    @Test
    void txtIdWithHyphenIsInvalid() {
        Run run = mtasts("lint", "txt", "v=STSv1; id=2024-01-01");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("invalid MTA-STS TXT record: id must be 1-32 letters or digits");
    }

    @Test
    void txtIdOf33CharactersIsInvalid() {
        assertThat(mtasts("lint", "txt", "v=STSv1; id=" + "a".repeat(33)).exitCode()).isEqualTo(1);
        assertThat(mtasts("lint", "txt", "v=STSv1; id=" + "a".repeat(32)).exitCode()).isZero();
    }

    @Test
    void missingArgumentIsAUsageErrorExitingTwo() {
        assertThat(mtasts("lint", "txt").exitCode()).isEqualTo(2);
        Run run = mtasts("lint", "policy");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'FILE'");
    }

    @Test
    void lintWithoutSubcommandIsAUsageErrorExitingTwo() {
        Run run = mtasts("lint");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("policy").contains("txt");
    }

    @Test
    void unknownOptionIsAUsageErrorExitingTwo() {
        assertThat(mtasts("lint", "txt", "--frobnicate", "v=STSv1; id=1").exitCode()).isEqualTo(2);
    }

    @Test
    void severalArgumentsAreTheCharacterStringsOfOneRecord() {
        Run run = mtasts("lint", "txt", "v=STSv1; ", "id=2024", "0101");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("id: 20240101");
        assertThat(mtasts("lint", "txt", "v=STSv1; ", "id=2024", "-01").err()).contains("got \"2024-01\"");
    }

    @Test
    void unknownLintSubcommandIsAUsageErrorExitingTwo() {
        assertThat(mtasts("lint", "record", "v=STSv1; id=1").exitCode()).isEqualTo(2);
    }

    // The "Done when" cases of issue #2, each run the way a domain owner runs it: bin/mtasts in its own process.

    @Test
    void binMtastsRejectsASignedMaxAge() throws IOException {
        Launchers.Result run = Launchers.run("mtasts", "lint", "policy",
                file("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: +86400\n").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("invalid MTA-STS policy: line 4: \"max_age: +86400\": max_age must be 1 to 10"
                + " digits, without sign, separators or spaces (RFC 8461 §3.2)" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void binMtastsRejectsACapitalisedMode() throws IOException {
        Launchers.Result run = Launchers.run("mtasts", "lint", "policy",
                file("version: STSv1\nmode: Enforce\nmx: mx.example.com\nmax_age: 86400\n").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(
                "invalid MTA-STS policy: line 2: \"mode: Enforce\": mode must be one of enforce, testing, none (RFC 8461 §3.2)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void binMtastsRejectsATxtIdWithAHyphen() {
        Launchers.Result run = Launchers.run("mtasts", "lint", "txt", "v=STSv1; id=2024-01-01");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(
                "invalid MTA-STS TXT record: id must be 1-32 letters or digits, got \"2024-01-01\" (RFC 8461 §3.1)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void binMtastsRejectsATxtIdOf33CharactersAndAcceptsOneOf32() {
        String id32 = "20240101T000000Z" + "a".repeat(16);
        Launchers.Result tooLong = Launchers.run("mtasts", "lint", "txt", "v=STSv1; id=" + id32 + "b");
        assertThat(tooLong.exitCode()).isEqualTo(1);
        assertThat(tooLong.err()).contains("id must be 1-32 letters or digits, got \"" + id32 + "b\"");

        Launchers.Result longest = Launchers.run("mtasts", "lint", "txt", "v=STSv1; id=" + id32 + ";");
        assertThat(longest.exitCode()).isZero();
        assertThat(longest.out()).isEqualTo("valid MTA-STS TXT record" + System.lineSeparator()
                + "id: " + id32 + System.lineSeparator());
    }

    @Test
    void binMtastsKeepsTheFirstOfADuplicatedMode() throws IOException {
        Launchers.Result run = Launchers.run("mtasts", "lint", "policy",
                file("version: STSv1\nmode: testing\nmx: mx.example.com\nmode: enforce\nmax_age: 86400\n").toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(String.join(System.lineSeparator(),
                "valid MTA-STS policy", "mode: testing", "max_age: 86400", "mx: mx.example.com", ""));
        assertThat(run.err()).isEmpty();
    }

    /** POLICY followed by an extension field padding it to exactly {@code size} bytes. */
    private static String policyOfSize(int size) {
        String field = "x-padding: ";
        return POLICY + field + "a".repeat(size - POLICY.length() - field.length() - 2) + "\r\n";
    }

    @Test
    void binMtastsRejectsAPolicyTheFetcherWouldRefuseAndNamesTheLimit() throws IOException {
        String policy = policyOfSize(StsPolicy.MAX_BODY_BYTES + 1);
        assertThat(policy.getBytes(StandardCharsets.UTF_8)).hasSize(65_537);
        Launchers.Result run = Launchers.run("mtasts", "lint", "policy", file(policy).toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("invalid MTA-STS policy: larger than 65536 bytes, the limit of mtasts' policy"
                + " fetcher (RFC 8461 §3.3 leaves it to the sender): the resolver would refuse it" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void binMtastsAcceptsAPolicyOfExactlyTheFetchersLimit() throws IOException {
        Launchers.Result run = Launchers.run("mtasts", "lint", "policy",
                file(policyOfSize(StsPolicy.MAX_BODY_BYTES)).toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("valid MTA-STS policy");
    }

    @Test
    void aPolicyOverTheLimitOnStandardInputIsInvalid() {
        Run run = lintWithStdin(policyOfSize(StsPolicy.MAX_BODY_BYTES + 1) + "more\n", "policy", "-");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("larger than 65536 bytes");
    }

    @Test
    void theLintLimitIsTheFetchersLimit() {
        assertThat(StsPolicy.MAX_BODY_BYTES).isEqualTo(PolicyFetcher.MAX_BODY_BYTES).isEqualTo(64 * 1024);
    }

    @Test
    void binMtastsRejectsASpaceBeforeTheColon() throws IOException {
        Launchers.Result run = Launchers.run("mtasts", "lint", "policy",
                file("version: STSv1\nmode : enforce\nmx: mx.example.com\nmax_age: 86400\n").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(
                "invalid MTA-STS policy: line 2: \"mode : enforce\": whitespace before ':' (RFC 8461 §3.2)");
    }

    @Test
    void binMtastsRejectsAnEmptyLine() throws IOException {
        Launchers.Result run = Launchers.run("mtasts", "lint", "policy",
                file("version: STSv1\r\nmode: enforce\r\n\r\nmx: mx.example.com\r\nmax_age: 86400\r\n").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("invalid MTA-STS policy: line 3: \"\": empty lines are not allowed (RFC 8461 §3.2)");
    }

    @Test
    void binMtastsReadsThePolicyFromStandardInput() {
        Launchers.Result run = Launchers.runWithStdin("mtasts", POLICY, "lint", "policy", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(String.join(System.lineSeparator(),
                "valid MTA-STS policy", "mode: enforce", "max_age: 604800", "mx: mail.example.com", "mx: *.example.net", ""));

        Launchers.Result invalid = Launchers.runWithStdin("mtasts", "version: STSv1\nmode: none\n", "lint", "policy", "-");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains("the max_age field is required");
    }

    @Test
    void binMtastsExitsTwoOnUsageErrors() {
        Launchers.Result noFile = Launchers.run("mtasts", "lint", "policy");
        assertThat(noFile.exitCode()).isEqualTo(2);
        assertThat(noFile.err()).contains("Missing required parameter: 'FILE'");
        assertThat(Launchers.run("mtasts", "lint", "txt", "--strict", "v=STSv1; id=1").exitCode()).isEqualTo(2);
        assertThat(Launchers.run("mtasts", "lint", "policy", dir.resolve("absent.txt").toString()).exitCode()).isEqualTo(2);
    }

    @Test
    void everyLintCommandHasHelp() {
        for (String[] args : new String[][] {{"lint", "--help"}, {"lint", "policy", "--help"}, {"lint", "txt", "--help"}}) {
            Run run = mtasts(args);
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("Usage: mtasts lint").contains("Exit codes:");
        }
    }
}
