package io.github.mtasts.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * Writes a man page (section 1, roff) for {@code mtasts} and each of its subcommands, from the same picocli
 * model {@code --help} prints, so the pages never disagree with the commands. The Debian package build runs it;
 * picocli-codegen's generator writes AsciiDoc only, and turning that into roff needs Asciidoctor (Ruby).
 */
public final class ManPages {

    private ManPages() {
    }

    /** {@code ManPages DIR}: writes {@code mtasts.1}, {@code mtasts-daemon.1}, {@code mtasts-tlsrpt-run.1}... */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManPages OUTPUT-DIRECTORY");
            System.exit(2);
        }
        List<Path> written = write(Main.commandLine(), Files.createDirectories(Path.of(args[0])));
        System.out.println(written.size() + " man pages in " + args[0]);
    }

    static List<Path> write(CommandLine root, Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        writeTree(root, root, dir, written);
        return written;
    }

    private static void writeTree(CommandLine root, CommandLine command, Path dir, List<Path> written)
            throws IOException {
        String name = command.getCommandSpec().qualifiedName("-");
        Path page = dir.resolve(name + ".1");
        Files.writeString(page, page(root, command), StandardCharsets.UTF_8);
        written.add(page);
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            // aliases appear as further entries for the same command
            if (sub.getKey().equals(sub.getValue().getCommandName())) {
                writeTree(root, sub.getValue(), dir, written);
            }
        }
    }

    static String page(CommandLine root, CommandLine command) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        String name = spec.qualifiedName("-");
        String[] description = spec.usageMessage().description();
        String summary = description.length > 0 ? description[0] : spec.qualifiedName(" ");
        String version = root.getCommandSpec().version().length > 0 ? root.getCommandSpec().version()[0] : "mtasts";
        StringBuilder roff = new StringBuilder();
        roff.append(".TH ").append(name.toUpperCase(java.util.Locale.ROOT)).append(" 1 \"\" \"")
                .append(escape(version)).append("\" \"mtasts manual\"\n");
        roff.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(firstSentence(summary)))
                .append('\n');
        roff.append(".SH SYNOPSIS\n.nf\n");
        appendVerbatim(roff, command.getHelp().synopsis(0).stripTrailing());
        roff.append(".fi\n.SH DESCRIPTION\n.nf\n");
        appendVerbatim(roff, command.getUsageMessage(CommandLine.Help.defaultColorScheme(Ansi.OFF)).stripTrailing());
        roff.append(".fi\n");
        List<String> seeAlso = new ArrayList<>();
        if (command != root) {
            seeAlso.add(root.getCommandSpec().name());
        }
        command.getSubcommands().forEach((sub, line) -> {
            if (sub.equals(line.getCommandName())) {
                seeAlso.add(line.getCommandSpec().qualifiedName("-"));
            }
        });
        if (!seeAlso.isEmpty()) {
            roff.append(".SH SEE ALSO\n");
            for (int i = 0; i < seeAlso.size(); i++) {
                roff.append(".BR ").append(escape(seeAlso.get(i))).append(" (1)")
                        .append(i < seeAlso.size() - 1 ? "," : "").append('\n');
            }
        }
        return roff.toString();
    }

    private static void appendVerbatim(StringBuilder roff, String text) {
        for (String line : text.split("\n", -1)) {
            String escaped = escape(line);
            // a line starting with a dot or quote would be read as a request
            if (escaped.startsWith(".") || escaped.startsWith("'")) {
                roff.append("\\&");
            }
            roff.append(escaped).append('\n');
        }
    }

    private static String escape(String text) {
        return text.replace("\\", "\\e").replace("-", "\\-");
    }

    private static String firstSentence(String text) {
        int end = text.indexOf(". ");
        return (end < 0 ? text : text.substring(0, end)).replaceAll("\\.$", "");
    }
}
