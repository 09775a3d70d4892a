package io.github.mtasts.testing;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;

/**
 * Small byte edits of real JSON inputs for fuzz properties: mostly bytes that change JSON's structure or numbers,
 * sometimes any byte. An edit is (kind, position, byte): 0 replaces, 1 inserts, 2 deletes the byte at position
 * modulo the length.
 */
public final class JsonMutations {

    private JsonMutations() {
    }

    /** Between one and {@code maxEdits} edits. */
    public static Arbitrary<List<Tuple3<Integer, Integer, Byte>>> edits(int maxEdits) {
        Arbitrary<Byte> interesting = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of((byte) '"', (byte) '{', (byte) '}', (byte) '[', (byte) ']', (byte) ':',
                        (byte) ',', (byte) '-', (byte) '0', (byte) '1', (byte) '2', (byte) '9', (byte) '.',
                        (byte) 'e', (byte) 'n', (byte) '\\', (byte) ' ')),
                Tuple.of(1, Arbitraries.bytes()));
        return Arbitraries.integers().between(0, 2)
                .flatMap(kind -> Arbitraries.integers().greaterOrEqual(0)
                        .flatMap(at -> interesting.map(b -> Tuple.of(kind, at, b))))
                .list().ofMinSize(1).ofMaxSize(maxEdits);
    }

    /** {@code bytes} with {@code edits} applied in order; {@code bytes} itself is left as it is. */
    public static byte[] apply(byte[] bytes, List<Tuple3<Integer, Integer, Byte>> edits) {
        byte[] result = bytes;
        for (Tuple3<Integer, Integer, Byte> edit : edits) {
            result = apply(result, edit.get1(), edit.get2(), edit.get3());
        }
        return result;
    }

    private static byte[] apply(byte[] bytes, int kind, int at, byte value) {
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
}
