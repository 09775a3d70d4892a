package io.github.mtasts.cli;

import io.github.mtasts.resolver.policy.MxPattern;
import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.StsTxtRecord;
import io.github.mtasts.resolver.policy.TxtRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mtasts lint}: checks an MTA-STS policy file or {@code _mta-sts} TXT record before a domain
 * owner publishes it, with the same parsers the resolver uses. Exit 0 valid, 1 invalid, 2 usage or
 * I/O error.
 */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = "Check an MTA-STS policy file or _mta-sts TXT record against RFC 8461 before publishing it.",
        subcommands = {LintCommand.PolicyCommand.class, LintCommand.TxtCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:valid", "1:invalid", "2:usage or I/O error"})
public final class LintCommand implements Callable<Integer> {

    static final int VALID = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    private final InputStream stdin;

    @Spec
    CommandSpec spec;

    public LintCommand() {
        this(System.in);
    }

    /** For tests: the stream read when the policy file is {@code -}. */
    LintCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("lint needs a subcommand: policy or txt");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    @Command(name = "policy", mixinStandardHelpOptions = true,
            description = "Check a policy file (the body served at https://mta-sts.<domain>/.well-known/mta-sts.txt).",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:valid", "1:invalid", "2:usage or I/O error"})
    static final class PolicyCommand implements Callable<Integer> {

        @ParentCommand
        LintCommand lint;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "policy file, or - for standard input")
        String file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            byte[] bytes;
            try {
                bytes = "-".equals(file) ? upToLimit(lint.stdin) : readFile(Path.of(file));
            } catch (IOException | RuntimeException e) {
                String reason = e instanceof NoSuchFileException ? "no such file"
                        : e instanceof AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
                err.println("cannot read " + ("-".equals(file) ? "standard input" : file) + ": " + reason);
                return USAGE;
            }
            if (bytes.length > StsPolicy.MAX_BODY_BYTES) {
                err.println("invalid MTA-STS policy: larger than " + StsPolicy.MAX_BODY_BYTES + " bytes, the limit of"
                        + " mtasts' policy fetcher (RFC 8461 §3.3 leaves it to the sender): the resolver would refuse it");
                return INVALID;
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                err.println("invalid MTA-STS policy: not valid UTF-8");
                return INVALID;
            }
            try {
                StsPolicy policy = StsPolicy.parse(text);
                out.println("valid MTA-STS policy");
                out.println("mode: " + policy.mode().wireName());
                out.println("max_age: " + policy.maxAge());
                for (MxPattern mx : policy.mx()) {
                    out.println("mx: " + mx.pattern());
                }
                return VALID;
            } catch (PolicySyntaxException e) {
                err.println("invalid MTA-STS policy: " + e.getMessage());
                return INVALID;
            }
        }

        private static byte[] readFile(Path path) throws IOException {
            try (InputStream in = Files.newInputStream(path)) {
                return upToLimit(in);
            }
        }

        /** One byte past the limit is enough to know the fetcher would refuse the policy; the rest is not read. */
        private static byte[] upToLimit(InputStream in) throws IOException {
            return in.readNBytes(StsPolicy.MAX_BODY_BYTES + 1);
        }
    }

    @Command(name = "txt", mixinStandardHelpOptions = true,
            description = "Check the TXT record for _mta-sts.<domain>, e.g. 'v=STSv1; id=20240101T000000'.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:valid", "1:invalid", "2:usage error"})
    static final class TxtCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "RECORD",
                description = {"the record text; quote it for the shell.",
                        "Several arguments are the character-strings of one long record, as dig prints them,"
                                + " and are joined without separator, as a resolver does."})
        List<String> strings;

        @Override
        public Integer call() {
            try {
                StsTxtRecord txt = StsTxtRecord.parse(String.join("", strings));
                spec.commandLine().getOut().println("valid MTA-STS TXT record");
                spec.commandLine().getOut().println("id: " + txt.id());
                return VALID;
            } catch (TxtRecordException e) {
                spec.commandLine().getErr().println("invalid MTA-STS TXT record: " + e.getMessage());
                return INVALID;
            }
        }
    }
}
