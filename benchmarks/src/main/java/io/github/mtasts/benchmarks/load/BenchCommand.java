package io.github.mtasts.benchmarks.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar benchmarks/target/mtasts-bench.jar}: measuring tools, run on demand and kept out of the product
 * jar. {@code socketmap} loads a socketmap server the way
 * Postfix's smtp processes do; {@code gen-logs} and {@code ingest} measure the TLSRPT log path.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: socketmap load, Postfix log generation and ingest.",
        subcommands = {BenchCommand.SocketmapCommand.class, GenLogsCommand.class, IngestCommand.class,
                CollectCommand.class})
public final class BenchCommand implements Callable<Integer> {

    static final int CLEAN = 0;
    static final int ERRORS = 1;
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("bench needs a subcommand: socketmap, gen-logs or ingest");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    @Command(name = "socketmap", mixinStandardHelpOptions = true,
            description = "Closed-loop load on a socketmap server: N persistent connections, each sending a request "
                    + "and waiting for its reply before the next, as Postfix's smtp processes do. Loopback only.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:no errors", "1:errors (connect, closed, malformed or unexpected replies)", "2:usage error"})
    static final class SocketmapCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "loopback address of the server (default ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--port", required = true, description = "server port")
        int port;

        @Option(names = "--connections", defaultValue = "16", description = "persistent connections (default ${DEFAULT-VALUE})")
        int connections;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds (default ${DEFAULT-VALUE})")
        double duration;

        @Option(names = "--warmup", defaultValue = "2", description = "seconds of load before measuring (default ${DEFAULT-VALUE})")
        double warmup;

        @Option(names = "--keys", required = true, description = "file with one key (domain) per line")
        Path keys;

        @Option(names = "--map", defaultValue = "postfix", description = "socketmap name sent before each key (default ${DEFAULT-VALUE})")
        String map;

        @Option(names = "--expect", description = "count replies whose payload does not start with this prefix as errors")
        String expect;

        @Option(names = "--threads", description = "client threads driving the connections (default: available processors)")
        Integer threads;

        @Option(names = "--json", description = "print one JSON object instead of the text summary")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            if (connections < 1 || duration <= 0 || warmup < 0 || port < 1 || port > 65535
                    || (threads != null && threads < 1)) {
                err.println("bench socketmap: --connections and --threads must be positive, --duration > 0, "
                        + "--warmup >= 0, --port 1-65535");
                return USAGE;
            }
            SocketmapLoad load;
            try {
                KeyCycle cycle = KeyCycle.of(map, KeyCycle.readKeys(keys));
                InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(host), port);
                int driverThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
                load = new SocketmapLoad(target, connections, driverThreads, cycle,
                        expect == null ? null : expect.getBytes(StandardCharsets.UTF_8));
            } catch (IOException | IllegalArgumentException e) {
                err.println("bench socketmap: " + (e instanceof UnknownHostException ? "unknown host " + host : e.getMessage()));
                return USAGE;
            }
            LoadReport report = load.run(seconds(warmup), seconds(duration));
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? report.toJson() + System.lineSeparator() : report.toText());
            out.flush();
            return report.errors() == 0 ? CLEAN : ERRORS;
        }

        private static Duration seconds(double s) {
            return Duration.ofNanos(Math.round(s * 1e9));
        }
    }
}
