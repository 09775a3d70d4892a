package io.github.mtasts.benchmarks.load;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench gen-logs}: deterministic realistic Postfix logs on standard output, for {@code bench ingest}. */
@Command(name = "gen-logs", mixinStandardHelpOptions = true,
        description = "Write a deterministic, realistic Postfix maillog (TLS successes, every TLS failure kind, reused "
                + "connections, unrelated lines) to standard output; the same seed gives the same lines.")
final class GenLogsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--lines", defaultValue = "1000000", description = "at least this many lines (default ${DEFAULT-VALUE})")
    long lines;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        if (lines < 1) {
            spec.commandLine().getErr().println("bench gen-logs: --lines must be positive");
            return BenchCommand.USAGE;
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Map<PostfixLogGenerator.Event, Long> events = PostfixLogGenerator.generate(lines, seed, out);
        out.flush();
        if (out.checkError()) {
            err.println("bench gen-logs: cannot write to standard output");
            return BenchCommand.ERRORS;
        }
        err.println("events: " + events);
        return BenchCommand.CLEAN;
    }
}
