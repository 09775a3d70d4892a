package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneVerdict;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.policy.TlsaStatus;
import io.github.mtasts.resolver.socketmap.PostfixReply.ReplyOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The answer of a {@code dane: on} zone against the MTA-STS-only answer for the same domain and zone (RFC 8461 §2).
 *
 * <p>Strength, as what Postfix then demands of the connection: {@code NOTFOUND} (0, Postfix's default level) &lt;
 * {@code dane} (1: DANE where TLSA records are usable, else Postfix's opportunistic fallback) &lt;
 * {@code secure} = {@code dane-only} (2: an authenticated connection or none). {@code secure} and
 * {@code dane-only} are equally strong in different trust models; the design never answers {@code secure} where
 * DANE applies or is indeterminate.
 */
class DaneAnswerPropertyTest {

    static int strength(String reply) {
        if (reply.equals(PostfixReply.NOT_FOUND)) {
            return 0;
        }
        if (reply.equals(PostfixReply.DANE)) {
            return 1;
        }
        if (reply.equals(PostfixReply.DANE_ONLY) || reply.startsWith("OK secure ")) {
            return 2;
        }
        throw new AssertionError("not an answer this responder gives: " + reply);
    }

    record Input(Optional<String> mode, ReplyOptions options, DaneState dane) {
    }

    @Provide
    Arbitrary<Input> inputs() {
        Arbitrary<Optional<String>> mode = Arbitraries.of("enforce", "testing", "none").optional(0.8);
        Arbitrary<ReplyOptions> options = Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(ReplyOptions::new);
        Arbitrary<DaneState> dane = Combinators.combine(Arbitraries.of(DnssecStatus.class),
                Arbitraries.of(TlsaStatus.class).list().ofMaxSize(4)).as((mx, hosts) -> {
                    List<DaneHost> list = new ArrayList<>();
                    if (mx == DnssecStatus.SECURE) {
                        for (int i = 0; i < hosts.size(); i++) {
                            list.add(new DaneHost("mx" + i + ".example.com", hosts.get(i), List.of(), "test"));
                        }
                    }
                    return new DaneState("example.com", mx, list, "test");
                });
        return Combinators.combine(mode, options, dane).as(Input::new);
    }

    static String stsAnswer(Input input) throws Exception {
        if (input.mode().isEmpty()) {
            return PostfixReply.NOT_FOUND;
        }
        StsPolicy policy = StsPolicy.parse("version: STSv1\nmode: " + input.mode().get()
                + "\nmx: mx.example.com\nmx: *.example.net\nmax_age: 86400\n");
        return PostfixReply.forPolicy("example.com", policy, input.options());
    }

    @Property(tries = 2000)
    void neverWeakerThanTheMtaStsAnswer(@ForAll("inputs") Input input) throws Exception {
        String sts = stsAnswer(input);
        String answer = PostfixReply.withDane(sts, input.dane().verdict());
        assertThat(strength(answer)).as("%s then %s", sts, answer).isGreaterThanOrEqualTo(strength(sts));
    }

    @Property(tries = 2000)
    void neverSecureWhereDaneAppliesOrIsIndeterminate(@ForAll("inputs") Input input) throws Exception {
        String sts = stsAnswer(input);
        DaneVerdict verdict = input.dane().verdict();
        String answer = PostfixReply.withDane(sts, verdict);
        if (verdict == DaneVerdict.DOES_NOT_APPLY) {
            assertThat(answer).isEqualTo(sts);
        } else {
            assertThat(answer).isIn(PostfixReply.DANE, PostfixReply.DANE_ONLY);
            assertThat(answer).isEqualTo(strength(sts) == 2 ? PostfixReply.DANE_ONLY : PostfixReply.DANE);
        }
    }

    /** The design's table. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "APPLIES        | OK secure match=mx.example.com | OK dane-only",
            "APPLIES        | NOTFOUND                       | OK dane",
            "INDETERMINATE  | OK secure match=mx.example.com | OK dane-only",
            "INDETERMINATE  | NOTFOUND                       | OK dane",
            "DOES_NOT_APPLY | OK secure match=mx.example.com | OK secure match=mx.example.com",
            "DOES_NOT_APPLY | NOTFOUND                       | NOTFOUND"})
    void theDesignTable(DaneVerdict verdict, String sts, String expected) {
        String stsReply = sts.equals("NOTFOUND") ? PostfixReply.NOT_FOUND : sts;
        String expectedReply = expected.equals("NOTFOUND") ? PostfixReply.NOT_FOUND : expected;
        assertThat(PostfixReply.withDane(stsReply, verdict)).isEqualTo(expectedReply);
    }
}
