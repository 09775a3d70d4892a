package io.github.mtasts.benchmarks.load;

import io.github.mtasts.resolver.policy.PolicySyntaxException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bench ingest FILE}: lines per second of the TLSRPT log path on one thread, for parse only and for
 * parse + session classification. The file is read into memory first; both stages run twice unmeasured before either
 * is timed (so the JIT has compiled the parser for both), then {@code --passes} times each; the best pass is
 * reported with the median.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Measure Postfix log ingest (lines/s on one thread): parse only, and parse + classify into "
                + "TLS sessions. Generate input with 'bench gen-logs'.")
final class IngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Postfix maillog")
    Path file;

    @Option(names = "--passes", defaultValue = "5", description = "measured passes per stage (default ${DEFAULT-VALUE})")
    int passes;

    @Option(names = "--store", paramLabel = "sqlite:PATH",
            description = "also time the whole path into a new SQLite database at PATH (parse, classify, policy join, "
                    + "batched commits), once")
    String store;

    @Option(names = "--now", description = "reference time for the year syslog timestamps leave out (default: now)")
    Instant now;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (passes < 1) {
            err.println("bench ingest: --passes must be positive");
            return BenchCommand.USAGE;
        }
        if (store != null) {
            if (!store.startsWith("sqlite:") || store.length() == "sqlite:".length()) {
                err.println("bench ingest: --store must be sqlite:PATH, got " + store);
                return BenchCommand.USAGE;
            }
            if (Files.exists(Path.of(store.substring("sqlite:".length())))) {
                err.println("bench ingest: --store " + store + " exists; the measurement needs a new database");
                return BenchCommand.USAGE;
            }
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("bench ingest: cannot read " + file + ": " + e.getMessage());
            return BenchCommand.USAGE;
        }
        IngestBenchmark bench = new IngestBenchmark(now != null ? now : Instant.now());
        out.printf(Locale.ROOT, "lines            %d%n", lines.size());
        IngestBenchmark.ParseCounts counts = bench.parseOnly(lines);
        IngestBenchmark.Classified classified = bench.parseAndClassify(lines);
        bench.parseOnly(lines);
        bench.parseAndClassify(lines);
        out.printf(Locale.ROOT, "parsed           %d (rejected %d)%n", counts.parsed(), counts.rejected());
        out.println("parse only       " + rate(lines.size(), () -> bench.parseOnly(lines)));
        out.println("parse + classify " + rate(lines.size(), () -> bench.parseAndClassify(lines)));
        out.println("sessions         " + classified.sessions() + ", reused connections " + classified.reusedConnections());
        if (store != null) {
            IngestBenchmark.Stored stored;
            try {
                stored = bench.intoSqlite(file, Path.of(store.substring("sqlite:".length())));
            } catch (IOException | PolicySyntaxException | RuntimeException e) {
                err.println("bench ingest: store: " + e.getMessage());
                return BenchCommand.ERRORS;
            }
            out.printf(Locale.ROOT, "into sqlite      %.0f lines/s (%d lines, %d successes and %d failures counted)%n",
                    lines.size() / (stored.importNanos() / 1e9), stored.parsedLines(), stored.successes(), stored.failures());
        }
        out.flush();
        return BenchCommand.CLEAN;
    }

    private String rate(int lineCount, Supplier<?> stage) {
        double[] rates = new double[passes];
        for (int p = 0; p < passes; p++) {
            long start = System.nanoTime();
            stage.get();
            rates[p] = lineCount / ((System.nanoTime() - start) / 1e9);
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "best %.0f lines/s, median %.0f lines/s over %d passes",
                sorted[passes - 1], sorted[passes / 2], passes);
    }
}
