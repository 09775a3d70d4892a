package io.github.mtasts.resolver.socketmap;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing the socketmap server's first handler, as the pipeline runs it ({@link EmbeddedChannel}): whatever bytes
 * a client sends, in whatever pieces, {@link NetstringDecoder} either emits payloads within its limit or fails once
 * with its documented {@code DecoderException} caused by a {@link NetstringException}, then discards the rest.
 * Never another exception, never a hang (each input is bounded by a generous 5 s guard).
 */
class NetstringDecoderFuzzTest {

    private static final int MAX = 64;
    private static final ExecutorService GUARD = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "netstring-fuzz");
        thread.setDaemon(true);
        return thread;
    });

    @AfterContainer
    static void stopGuard() {
        GUARD.shutdownNow();
    }

    /** What the channel gave back for one input: the frames, and the malformation if there was one. */
    private record Outcome(List<byte[]> frames, NetstringException failure) {
    }

    @Property(tries = 3000)
    void arbitraryBytesInArbitraryPiecesGiveFramesOrOneTypedFailure(
            @ForAll @Size(max = 300) byte[] bytes, @ForAll @IntRange(min = 1, max = 40) int piece) {
        Outcome outcome = guarded(() -> feed(pieces(bytes, piece)));
        for (byte[] frame : outcome.frames()) {
            assertThat(frame.length).isLessThanOrEqualTo(MAX);
        }
        Statistics.collect(outcome.failure() == null ? "no failure" : outcome.failure().kind().name(),
                outcome.frames().isEmpty() ? "no frame" : "frames");
    }

    @Property(tries = 3000)
    void netstringLikeInputGivesFramesOrOneTypedFailure(
            @ForAll("netstringLike") byte[] bytes, @ForAll @IntRange(min = 1, max = 16) int piece) {
        Outcome outcome = guarded(() -> feed(pieces(bytes, piece)));
        for (byte[] frame : outcome.frames()) {
            assertThat(frame.length).isLessThanOrEqualTo(MAX);
        }
        Statistics.collect(outcome.failure() == null ? "no failure" : outcome.failure().kind().name(),
                outcome.frames().isEmpty() ? "no frame" : "frames");
    }

    @Property(tries = 1000)
    void wellFormedNetstringsComeOutWhateverThePieces(
            @ForAll @Size(max = 8) List<@Size(max = MAX) byte[]> payloads, @ForAll @IntRange(min = 1, max = 16) int piece) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (byte[] payload : payloads) {
            wire.writeBytes((payload.length + ":").getBytes(US_ASCII));
            wire.writeBytes(payload);
            wire.write(',');
        }
        Outcome outcome = guarded(() -> feed(pieces(wire.toByteArray(), piece)));
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.frames()).hasSameSizeAs(payloads);
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(outcome.frames().get(i)).isEqualTo(payloads.get(i));
        }
    }

    /** Digits, colons and commas dominate, so the decoder's states are all reached, not only "bad prefix". */
    @Provide
    Arbitrary<byte[]> netstringLike() {
        Arbitrary<Byte> symbol = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of((byte) '0', (byte) '1', (byte) '2', (byte) '3', (byte) '9')),
                Tuple.of(3, Arbitraries.of((byte) ':', (byte) ',')),
                Tuple.of(3, Arbitraries.of((byte) 'a', (byte) ' ', (byte) 0, (byte) 0xff, (byte) '-')));
        return symbol.list().ofMaxSize(200).map(list -> {
            byte[] bytes = new byte[list.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = list.get(i);
            }
            return bytes;
        });
    }

    private static List<byte[]> pieces(byte[] bytes, int piece) {
        List<byte[]> pieces = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += piece) {
            pieces.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + piece)));
        }
        return pieces;
    }

    /** Writes every piece, then closes the input (decodeLast); collects frames and the one failure allowed. */
    private static Outcome feed(List<byte[]> pieces) {
        EmbeddedChannel channel = new EmbeddedChannel(new NetstringDecoder(MAX));
        List<byte[]> frames = new ArrayList<>();
        NetstringException failure = null;
        for (byte[] piece : pieces) {
            failure = once(failure, () -> channel.writeInbound(Unpooled.wrappedBuffer(piece)));
            drain(channel, frames);
        }
        failure = once(failure, channel::finish);
        drain(channel, frames);
        return new Outcome(frames, failure);
    }

    private static NetstringException once(NetstringException earlier, Runnable step) {
        try {
            step.run();
            return earlier;
        } catch (DecoderException e) {
            assertThat(e.getCause()).as("the cause of %s", e).isInstanceOf(NetstringException.class);
            // the framing is lost after the first malformation: everything later is discarded, not reported again
            assertThat(earlier).as("a second failure after %s", earlier).isNull();
            return (NetstringException) e.getCause();
        }
    }

    private static void drain(EmbeddedChannel channel, List<byte[]> frames) {
        for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
            assertThat(message).isInstanceOf(byte[].class);
            frames.add((byte[]) message);
        }
    }

    private static <T> T guarded(Callable<T> work) {
        Future<T> future = GUARD.submit(work);
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail("the decoder did not finish within 5 s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError assertion) {
                throw assertion;
            }
            return fail("unexpected exception from the decoder", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }
}
