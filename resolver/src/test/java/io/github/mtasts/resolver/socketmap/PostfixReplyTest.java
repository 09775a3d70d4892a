package io.github.mtasts.resolver.socketmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.PolicyOverride;
import io.github.mtasts.resolver.policy.PolicyOverride.Outcome;
import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.socketmap.PostfixReply.ReplyOptions;
import org.junit.jupiter.api.Test;

class PostfixReplyTest {

    private static final ReplyOptions SNI = new ReplyOptions(false, true, false);
    private static final ReplyOptions PLAIN = new ReplyOptions(false, false, false);

    private static StsPolicy policy(String mode) throws Exception {
        return StsPolicy.parse("version: STSv1\nmode: " + mode
                + "\nmx: mail.example.com\nmx: *.backup.example.com\nmax_age: 86400\n");
    }

    @Test
    void enforceAnswersSecureWithPatternsInPolicyOrder() throws Exception {
        assertThat(PostfixReply.forPolicy("example.com", policy("enforce"), SNI))
                .isEqualTo("OK secure match=mail.example.com:.backup.example.com servername=hostname");
    }

    @Test
    void withoutRequireSniNoServernameIsSent() throws Exception {
        assertThat(PostfixReply.forPolicy("example.com", policy("enforce"), PLAIN))
                .isEqualTo("OK secure match=mail.example.com:.backup.example.com");
    }

    @Test
    void testingIsNotFoundUnlessStrictTesting() throws Exception {
        assertThat(PostfixReply.forPolicy("example.com", policy("testing"), SNI)).isEqualTo(PostfixReply.NOT_FOUND);
        assertThat(PostfixReply.forPolicy("example.com", policy("testing"), new ReplyOptions(true, true, false)))
                .isEqualTo("OK secure match=mail.example.com:.backup.example.com servername=hostname");
    }

    @Test
    void noneIsNotFoundEvenWithStrictTestingAndTlsrpt() throws Exception {
        StsPolicy none = StsPolicy.parse("version: STSv1\nmode: none\nmax_age: 86400\n");
        assertThat(PostfixReply.forPolicy("example.com", none, new ReplyOptions(true, true, true))).isEqualTo("NOTFOUND ");
    }

    @Test
    void tlsrptAppendsPostfix310PolicyAttributes() throws Exception {
        StsPolicy policy = StsPolicy.parse(
                "version: STSv1\r\nmode: enforce\r\nmx: MAIL.example.com\r\nmx:\t*.backup.example.com\r\nmax_age: 86400");
        assertThat(PostfixReply.forPolicy("example.com", policy, new ReplyOptions(false, true, true))).isEqualTo(
                "OK secure match=mail.example.com:.backup.example.com servername=hostname"
                        + " policy_type=sts policy_domain=example.com"
                        + " mx_host_pattern=mail.example.com mx_host_pattern=*.backup.example.com"
                        + " { policy_string = version: STSv1 } { policy_string = mode: enforce }"
                        + " { policy_string = mx: MAIL.example.com } { policy_string = mx:\t*.backup.example.com }"
                        + " { policy_string = max_age: 86400 }");
    }

    @Test
    void nextHopWithoutMxLookupGetsNoMxHostPatternsForPostfixToCheckItsNameAgainst() throws Exception {
        StsPolicy policy = StsPolicy.parse("version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 86400\n");
        assertThat(PostfixReply.forPolicy("example.com", policy, new ReplyOptions(false, true, true), false))
                .isEqualTo("OK secure match=.example.com servername=hostname policy_type=sts policy_domain=example.com"
                        + " { policy_string = version: STSv1 } { policy_string = mode: enforce }"
                        + " { policy_string = mx: *.example.com } { policy_string = max_age: 86400 }");
        assertThat(PostfixReply.forPolicy("example.com", policy, new ReplyOptions(false, true, false), false))
                .isEqualTo("OK secure match=.example.com servername=hostname");
    }

    @Test
    void tlsrptLeavesOutLinesWithBracesThatWouldBreakPostfixParsing() throws Exception {
        StsPolicy policy = StsPolicy.parse("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 60\nnote: a}b\nx: {y\n");
        String reply = PostfixReply.forPolicy("example.com", policy, new ReplyOptions(false, false, true));
        assertThat(reply).endsWith("{ policy_string = max_age: 60 }").doesNotContain("a}b").doesNotContain("{y");
    }

    @Test
    void strictTestingWithTlsrptCarriesTheTestingPolicyString() throws Exception {
        String reply = PostfixReply.forPolicy("example.com", policy("testing"), new ReplyOptions(true, false, true));
        assertThat(reply).startsWith("OK secure match=").contains("{ policy_string = mode: testing }");
    }

    @Test
    void policyWithoutPublishedLinesStillRenders() {
        StsPolicy bare = new StsPolicy(PolicyMode.ENFORCE, 60,
                java.util.List.of(io.github.mtasts.resolver.policy.MxPattern.parse("mx.example.com")), java.util.List.of());
        assertThat(PostfixReply.forPolicy("example.com", bare, new ReplyOptions(false, true, true)))
                .isEqualTo("OK secure match=mx.example.com servername=hostname policy_type=sts"
                        + " policy_domain=example.com mx_host_pattern=mx.example.com");
    }

    @Test
    void overridesAnswerPostfixLevelsLiterallyAndNoneAsNotFound() {
        assertThat(PostfixReply.forOverride(override(Outcome.NONE), true)).isEqualTo("NOTFOUND ");
        assertThat(PostfixReply.forOverride(override(Outcome.MAY), true)).isEqualTo("OK may");
        assertThat(PostfixReply.forOverride(override(Outcome.ENCRYPT), true)).isEqualTo("OK encrypt");
        assertThat(PostfixReply.forOverride(override(Outcome.DANE), true)).isEqualTo("OK dane");
        assertThat(PostfixReply.forOverride(override(Outcome.DANE_ONLY), true)).isEqualTo("OK dane-only");
    }

    @Test
    void secureOverrideIsRenderedLikeAnMtaStsAnswer() {
        PolicyOverride secure = new PolicyOverride("example.com", Outcome.SECURE,
                java.util.List.of("mx1.example.com", ".example.net"));

        assertThat(PostfixReply.forOverride(secure, true))
                .isEqualTo("OK secure match=mx1.example.com:.example.net servername=hostname");
        assertThat(PostfixReply.forOverride(secure, false)).isEqualTo("OK secure match=mx1.example.com:.example.net");
    }

    private static PolicyOverride override(Outcome outcome) {
        return new PolicyOverride("example.com", outcome, java.util.List.of());
    }
}
