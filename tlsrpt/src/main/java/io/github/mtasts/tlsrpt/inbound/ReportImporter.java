package io.github.mtasts.tlsrpt.inbound;

import io.github.mtasts.tlsrpt.config.MilterConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Loads report history from files: {@code .json} and {@code .json.gz} reports, {@code .eml} messages, mbox
 * files and Maildir folders (the messages in {@code cur/} and {@code new/}). Every report goes through the
 * same {@link ReportIntake} as the milter's, so an import over mail the milter already saw only finds
 * duplicates. Files are streamed: an mbox is read message by message and a report file no further than the
 * report limit, so memory is bounded by one message however large the files are; a message larger than the
 * message limit is skipped and named. What became of each report is handed to the caller as it happens and
 * only counted here.
 */
public final class ReportImporter {

    /**
     * What an import did.
     *
     * @param stored                reports stored
     * @param duplicates            reports that were stored already
     * @param rejected              reports that could not be used
     * @param messagesWithoutReport messages (in mbox files and Maildirs) that carry no report: ordinary mail
     * @param skipped               messages over the size limit, each named with its size
     * @param unreadable            paths that could not be read, each with the reason
     */
    public record Result(long stored, long duplicates, long rejected, long messagesWithoutReport, List<String> skipped,
                         List<String> unreadable) {

        public Result {
            skipped = List.copyOf(skipped);
            unreadable = List.copyOf(unreadable);
        }

        public long count(ReportIntake.Result result) {
            return switch (result) {
                case STORED -> stored;
                case DUPLICATE -> duplicates;
                case REJECTED -> rejected;
            };
        }
    }

    /** Enough of a file's start to tell JSON, gzip and mbox from a message. */
    private static final int SNIFF_BYTES = 4096;

    private final ReportIntake intake;
    private final long maxMessageBytes;

    /** With the milter's default message limit ({@code milter.max_message_size}). */
    public ReportImporter(ReportIntake intake) {
        this(intake, MilterConfig.DEFAULT.maxMessageSize());
    }

    /** @param maxMessageBytes a larger message (in an mbox, a Maildir or an .eml file) is skipped */
    public ReportImporter(ReportIntake intake, long maxMessageBytes) {
        this.intake = Objects.requireNonNull(intake, "intake");
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Imports every path in turn; see {@link #importPaths(List, Consumer)}. */
    public Result importPaths(List<Path> paths) {
        return importPaths(paths, outcome -> { });
    }

    /**
     * Imports every path in turn, handing each report's outcome to {@code each} as soon as it is known.
     *
     * @throws InboundStoreException when the store fails; reports imported before stay stored
     */
    public Result importPaths(List<Path> paths, Consumer<ReportIntake.Outcome> each) {
        Tally tally = new Tally(each);
        for (Path path : paths) {
            try {
                importPath(path, tally);
            } catch (IOException e) {
                tally.unreadable.add(path + ": " + e);
            }
        }
        return new Result(tally.counts[0], tally.counts[1], tally.counts[2], tally.withoutReport, tally.skipped,
                tally.unreadable);
    }

    /** The running counts of one import. */
    private static final class Tally {
        final Consumer<ReportIntake.Outcome> each;
        final long[] counts = new long[3];
        long withoutReport;
        final List<String> skipped = new ArrayList<>();
        final List<String> unreadable = new ArrayList<>();

        Tally(Consumer<ReportIntake.Outcome> each) {
            this.each = Objects.requireNonNull(each, "each");
        }

        void add(ReportIntake.Outcome outcome) {
            counts[outcome.result().ordinal()]++;
            each.accept(outcome);
        }
    }

    private void importPath(Path path, Tally tally) throws IOException {
        if (Files.isDirectory(path)) {
            if (!Files.isDirectory(path.resolve("cur")) && !Files.isDirectory(path.resolve("new"))) {
                tally.unreadable.add(path + ": a directory but not a Maildir (no cur/ or new/)");
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
                    messageFile(file, tally);
                }
            }
            return;
        }
        if (!Files.exists(path)) {
            tally.unreadable.add(path + ": no such file or directory");
            return;
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 64 * 1024)) {
            in.mark(SNIFF_BYTES);
            byte[] head = in.readNBytes(SNIFF_BYTES);
            in.reset();
            if (name.endsWith(".json") || name.endsWith(".json.gz") || name.endsWith(".gz")
                    || ReportExtractor.isGzip(head) || ReportExtractor.isJson(head)) {
                tally.add(intake.acceptFile(path.toString(), in));
                return;
            }
            if (startsWith(head, "From ")) {
                mbox(path, in, tally);
                return;
            }
        }
        messageFile(path, tally);
    }

    /** One message in a file of its own (.eml, Maildir). */
    private void messageFile(Path file, Tally tally) throws IOException {
        long size = Files.size(file);
        if (size > maxMessageBytes) {
            tally.skipped.add(file + ": message of " + size + " bytes exceeds the limit of " + maxMessageBytes
                    + " bytes; skipped");
            return;
        }
        message(file.toString(), Files.readAllBytes(file), tally);
    }

    private void message(String origin, byte[] bytes, Tally tally) {
        List<ReportIntake.Outcome> found = intake.acceptMessage(origin, bytes);
        if (found.isEmpty()) {
            tally.withoutReport++;
        }
        found.forEach(tally::add);
    }

    /** Reads an mbox message by message; only the message at hand is in memory. */
    private void mbox(Path path, InputStream in, Tally tally) throws IOException {
        MboxReader reader = new MboxReader(in, maxMessageBytes);
        for (MboxReader.Message m; (m = reader.next()) != null; ) {
            String origin = path + " message " + m.index();
            if (m.oversized()) {
                tally.skipped.add(origin + ": message of " + m.size() + " bytes exceeds the limit of "
                        + maxMessageBytes + " bytes; skipped");
            } else {
                message(origin, m.content(), tally);
            }
        }
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
