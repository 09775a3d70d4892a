package io.github.mtasts.tlsrpt.datagrams;

import io.github.mtasts.testing.JsonMutations;
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
        check(JsonMutations.apply(CapturedDatagrams.get(n), mutations));
    }

    @Property(tries = 200)
    void deepNestingIsMalformedNotAStackOverflow(@ForAll @IntRange(min = 1, max = 100_000) int depth,
            @ForAll boolean arrays) {
        String open = arrays ? "[" : "{\"policies\":";
        String close = arrays ? "]" : "}";
        check((open.repeat(depth) + "1" + close.repeat(depth)).getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, Byte>>> mutations() {
        return JsonMutations.edits(4);
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
