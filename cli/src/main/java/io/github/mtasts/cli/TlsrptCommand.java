package io.github.mtasts.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mtasts tlsrpt}: the TLSRPT collector's commands. */
@Command(name = "tlsrpt", mixinStandardHelpOptions = true, version = "mtasts 0.1.0",
        subcommands = {TlsrptIngestCommand.class, TlsrptCollectCommand.class, TlsrptStatusCommand.class,
                TlsrptRunCommand.class, TlsrptReportCommand.class, TlsrptSendCommand.class, TlsrptQueueCommand.class,
                TlsrptImportCommand.class},
        description = "TLSRPT (RFC 8460): count TLS sessions from Postfix logs and Postfix's TLSRPT datagrams, build"
                + " and deliver the daily reports, import reports others send us.")
public final class TlsrptCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
