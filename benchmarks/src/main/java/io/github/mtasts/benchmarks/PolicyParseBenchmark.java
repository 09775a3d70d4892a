package io.github.mtasts.benchmarks;

import io.github.mtasts.resolver.policy.PolicySyntaxException;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.StsTxtRecord;
import io.github.mtasts.resolver.policy.TxtRecordException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parsing what discovery fetches: the {@code _mta-sts} TXT record and the policy file (RFC 8461 §3.1, §3.2). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PolicyParseBenchmark {

    /** The shape of a large provider's policy: CRLF lines, several mx patterns. */
    private final String policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\n"
            + "mx: *.mail.example.net\r\nmx: backup.example.org\r\nmax_age: 604800\r\n";
    private final String txt = "v=STSv1; id=20261129T000000Z;";

    @Benchmark
    public StsPolicy parsePolicy() throws PolicySyntaxException {
        return StsPolicy.parse(policy);
    }

    @Benchmark
    public StsTxtRecord parseTxtRecord() throws TxtRecordException {
        return StsTxtRecord.parse(txt);
    }
}
