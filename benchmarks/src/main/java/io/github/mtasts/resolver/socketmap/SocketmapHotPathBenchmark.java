package io.github.mtasts.resolver.socketmap;

import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.socketmap.PostfixReply.ReplyOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The socketmap request path for a cached answer, without the network: netstring decode, request parse, reply
 * render of a cached policy, netstring encode. {@code codec} runs the pure pieces back to back; {@code pipeline}
 * runs the server's own Netty handlers in an {@link EmbeddedChannel}, in the order {@link SocketmapServer} installs
 * them. Lives in the socketmap package to reach {@link SocketmapRequest#parse}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SocketmapHotPathBenchmark {

    private static final ReplyOptions OPTIONS = new ReplyOptions(false, true, true);

    private final byte[] request = Netstring.encode("postfix mail.example.com.test");
    private StsPolicy cached;
    private EmbeddedChannel channel;

    @Setup
    public void setUp() throws PolicySyntaxException {
        cached = StsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.mail.example.net\r\n"
                + "max_age: 604800\r\n");
        SocketmapResponder fromCache = r -> CompletableFuture.completedFuture(PostfixReply.forPolicy(r.key(), cached, OPTIONS));
        channel = new EmbeddedChannel(new NetstringEncoder(), new NetstringDecoder(10_000), new SocketmapRequestDecoder(),
                new PolicyLookupHandler(fromCache, Duration.ofSeconds(10)));
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public byte[] codec() throws NetstringException {
        Netstring.Decoder decoder = new Netstring.Decoder(10_000);
        byte[] payload = decoder.next(ByteBuffer.wrap(request)).orElseThrow();
        SocketmapRequest parsed = SocketmapRequest.parse(new String(payload, StandardCharsets.UTF_8));
        return Netstring.encode(PostfixReply.forPolicy(parsed.key(), cached, OPTIONS));
    }

    @Benchmark
    public int pipeline() {
        channel.writeInbound(Unpooled.wrappedBuffer(request));
        int length = 0;
        for (ByteBuf reply = channel.readOutbound(); reply != null; reply = channel.readOutbound()) {
            length += reply.readableBytes();
            reply.release();
        }
        return length;
    }
}
