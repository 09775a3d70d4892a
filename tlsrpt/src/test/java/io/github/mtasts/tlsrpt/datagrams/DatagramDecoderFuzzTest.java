package io.github.mtasts.tlsrpt.datagrams;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing the decoder, the first code that reads what any local process sends to the socket: arbitrary bytes, the
 * real captured datagrams with bytes replaced, inserted and deleted, and deep nesting. Each input either decodes
 * (and then counts without error) or is refused with a {@link MalformedDatagramException} with a message; never
 * another exception.
 */
class DatagramDecoderFuzzTest {
    private static final DatagramDecoder DECODER = new DatagramDecoder();
    private static final LocalDate DAY = LocalDate.of(2026, 12, 7);

    @Property(tries = 3000)
    void arbitraryBytesDecodeOrAreMalformed(@ForAll @Size(max = 600) byte[] bytes) {
        check(bytes);
    }

    @Property(tries = 3000)
    void mutatedRealDatagramsDecodeOrAreMalformed(@ForAll @IntRange(min = 1, max = CapturedDatagrams.COUNT) int n,
            @ForAll("mutations") List<Tuple.Tuple3<Integer, Integer, Byte>> mutations) {
        byte[] bytes = CapturedDatagrams.get(n);
        for (Tuple.Tuple3<Integer, Integer, Byte> mutation : mutations) {
            bytes = mutate(bytes, mutation.get1(), mutation.get2(), mutation.get3());
        }
        check(bytes);
    }

    @Property(tries = 200)
    void deepNestingIsMalformedNotAStackOverflow(@ForAll @IntRange(min = 1, max = 100_000) int depth,
            @ForAll boolean arrays) {
        String open = arrays ? "[" : "{\"policies\":";
        String close = arrays ? "]" : "}";
        check((open.repeat(depth) + "1" + close.repeat(depth)).getBytes(StandardCharsets.UTF_8));
    }

    /** (kind, position, byte): 0 replaces, 1 inserts, 2 deletes the byte at position modulo the length. */
    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, Byte>>> mutations() {
        Arbitrary<Byte> interesting = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of((byte) '"', (byte) '{', (byte) '}', (byte) '[', (byte) ']', (byte) ':',
                        (byte) ',', (byte) '-', (byte) '0', (byte) '1', (byte) '2', (byte) '9', (byte) '.',
                        (byte) 'e', (byte) '\\', (byte) ' ')),
                Tuple.of(1, Arbitraries.bytes()));
        return Arbitraries.integers().between(0, 2)
                .flatMap(kind -> Arbitraries.integers().greaterOrEqual(0)
                        .flatMap(at -> interesting.map(b -> Tuple.of(kind, at, b))))
                .list().ofMinSize(1).ofMaxSize(4);
    }

    private static byte[] mutate(byte[] bytes, int kind, int at, byte value) {
        if (bytes.length == 0) {
            return new byte[] {value};
        }
        int i = at % bytes.length;
        return switch (kind) {
            case 0 -> {
                byte[] copy = bytes.clone();
                copy[i] = value;
                yield copy;
            }
            case 1 -> {
                byte[] longer = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, longer, 0, i);
                longer[i] = value;
                System.arraycopy(bytes, i, longer, i + 1, bytes.length - i);
                yield longer;
            }
            default -> {
                byte[] shorter = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, shorter, 0, i);
                System.arraycopy(bytes, i + 1, shorter, i, bytes.length - i - 1);
                yield shorter;
            }
        };
    }

    private static void check(byte[] bytes) {
        try {
            TlsrptDatagram datagram = DECODER.decode(bytes);
            assertThat(datagram.counted(DAY)).hasSize(datagram.policies().size());
            Statistics.collect("decoded");
        } catch (MalformedDatagramException e) {
            assertThat(e.getMessage()).isNotBlank();
            Statistics.collect(e.reason());
        }
    }
}
