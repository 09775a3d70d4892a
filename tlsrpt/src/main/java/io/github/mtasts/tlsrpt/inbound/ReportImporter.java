package io.github.mtasts.tlsrpt.inbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads report history from files: {@code .json} and {@code .json.gz} reports, {@code .eml} messages, mbox
 * files and Maildir folders (the messages in {@code cur/} and {@code new/}). Every report goes through the
 * same {@link ReportIntake} as the milter's, so an import over mail the milter already saw only finds
 * duplicates.
 */
public final class ReportImporter {

    /**
     * What an import did.
     *
     * @param outcomes               one per report found
     * @param messagesWithoutReport  messages (in mbox files and Maildirs) that carry no report: ordinary mail
     * @param unreadable             paths that could not be read, each with the reason
     */
    public record Result(List<ReportIntake.Outcome> outcomes, int messagesWithoutReport, List<String> unreadable) {

        public Result {
            outcomes = List.copyOf(outcomes);
            unreadable = List.copyOf(unreadable);
        }

        public long count(ReportIntake.Result result) {
            return outcomes.stream().filter(o -> o.result() == result).count();
        }
    }

    // mboxrd quoting: a body line ">From " (with any number of '>') stands for one '>' fewer
    private static final Pattern QUOTED_FROM = Pattern.compile("(?m)^>(>*From )");

    private final ReportIntake intake;

    public ReportImporter(ReportIntake intake) {
        this.intake = Objects.requireNonNull(intake, "intake");
    }

    /**
     * Imports every path in turn.
     *
     * @throws InboundStoreException when the store fails; reports imported before stay stored
     */
    public Result importPaths(List<Path> paths) {
        List<ReportIntake.Outcome> outcomes = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        int[] withoutReport = {0};
        for (Path path : paths) {
            try {
                importPath(path, outcomes, withoutReport, unreadable);
            } catch (IOException e) {
                unreadable.add(path + ": " + e);
            }
        }
        return new Result(outcomes, withoutReport[0], unreadable);
    }

    private void importPath(Path path, List<ReportIntake.Outcome> outcomes, int[] withoutReport,
                            List<String> unreadable) throws IOException {
        if (Files.isDirectory(path)) {
            if (!Files.isDirectory(path.resolve("cur")) && !Files.isDirectory(path.resolve("new"))) {
                unreadable.add(path + ": a directory but not a Maildir (no cur/ or new/)");
                return;
            }
            for (String sub : List.of("new", "cur")) {
                Path folder = path.resolve(sub);
                if (!Files.isDirectory(folder)) {
                    continue;
                }
                List<Path> files;
                try (Stream<Path> list = Files.list(folder)) {
                    files = list.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path file : files) {
                    message(file.toString(), Files.readAllBytes(file), outcomes, withoutReport);
                }
            }
            return;
        }
        if (!Files.exists(path)) {
            unreadable.add(path + ": no such file or directory");
            return;
        }
        byte[] bytes = Files.readAllBytes(path);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json") || name.endsWith(".json.gz") || name.endsWith(".gz")
                || ReportExtractor.isGzip(bytes) || ReportExtractor.isJson(bytes)) {
            outcomes.add(intake.acceptFile(path.toString(), bytes));
        } else if (startsWith(bytes, "From ")) {
            mbox(path, bytes, outcomes, withoutReport);
        } else {
            message(path.toString(), bytes, outcomes, withoutReport);
        }
    }

    private void message(String origin, byte[] bytes, List<ReportIntake.Outcome> outcomes, int[] withoutReport) {
        List<ReportIntake.Outcome> found = intake.acceptMessage(origin, bytes);
        if (found.isEmpty()) {
            withoutReport[0]++;
        }
        outcomes.addAll(found);
    }

    /** Splits an mbox at its "From " separator lines (mboxrd, which also reads mboxo files written without quoting). */
    private void mbox(Path path, byte[] bytes, List<ReportIntake.Outcome> outcomes, int[] withoutReport) {
        // ISO-8859-1 maps every byte to one char and back, so 8-bit message content survives the split
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("(?<=\n)");
        ByteArrayOutputStream current = null;
        int index = 0;
        for (String line : lines) {
            if (line.startsWith("From ")) {
                if (current != null) {
                    index++;
                    message(path + " message " + index, unquote(current), outcomes, withoutReport);
                }
                current = new ByteArrayOutputStream();
                continue;
            }
            if (current != null) {
                byte[] raw = line.getBytes(StandardCharsets.ISO_8859_1);
                current.write(raw, 0, raw.length);
            }
        }
        if (current != null) {
            index++;
            message(path + " message " + index, unquote(current), outcomes, withoutReport);
        }
    }

    private static byte[] unquote(ByteArrayOutputStream message) {
        String text = message.toString(StandardCharsets.ISO_8859_1);
        Matcher m = QUOTED_FROM.matcher(text);
        return m.replaceAll("$1").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (bytes[i] != p[i]) {
                return false;
            }
        }
        return true;
    }
}
