package io.github.mtasts.tlsrpt.datagrams;

import io.github.mtasts.resolver.policy.StsPolicy;
import io.github.mtasts.resolver.store.ServedPolicy;
import io.github.mtasts.tlsrpt.aggregate.CountedSession;
import io.github.mtasts.tlsrpt.aggregate.FailureKey;
import io.github.mtasts.tlsrpt.aggregate.PolicyGroup;
import io.github.mtasts.tlsrpt.aggregate.TlsaPolicy;
import io.github.mtasts.tlsrpt.datagrams.MalformedDatagramException.Reason;
import io.github.mtasts.tlsrpt.datagrams.TlsrptDatagram.ReportedFailure;
import io.github.mtasts.tlsrpt.datagrams.TlsrptDatagram.ReportedPolicy;
import io.github.mtasts.tlsrpt.sessions.PolicyType;
import io.github.mtasts.tlsrpt.sessions.ResultType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatagramDecoderTest {
    private static final DatagramDecoder DECODER = new DatagramDecoder();
    private static final LocalDate DAY = LocalDate.of(2026, 12, 7);
    private static final String OK_EHLO = "250-mx.selfsigned.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
            + "250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"
            + "250 CHUNKING";

    private static TlsrptDatagram decode(byte[] bytes) throws MalformedDatagramException {
        return DECODER.decode(bytes);
    }

    private static TlsrptDatagram decode(String json) throws MalformedDatagramException {
        return DECODER.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void successUnderAnStsPolicyCarriesThePolicyAndCountsUnderItsHash() throws Exception {
        TlsrptDatagram datagram = decode(CapturedDatagrams.get(1));

        assertThat(datagram.tlsrptDomain()).isEqualTo("ok.test");
        assertThat(datagram.tlsrptRecord()).isEqualTo("v=TLSRPTv1; rua=mailto:tlsrpt@ok.test");
        ReportedPolicy policy = datagram.policies().get(0);
        assertThat(policy.type()).isEqualTo(PolicyType.STS);
        assertThat(policy.policyDomain()).isEqualTo("ok.test");
        assertThat(policy.policyStrings()).containsExactly("version: STSv1", "mode: enforce", "mx: mx.ok.test",
                "max_age: 86400");
        assertThat(policy.mxHosts()).containsExactly("mx.ok.test");
        assertThat(policy.failure()).isEmpty();
        StsPolicy sts = StsPolicy.parse("version: STSv1\nmode: enforce\nmx: mx.ok.test\nmax_age: 86400\n");
        assertThat(datagram.counted(DAY)).containsExactly(new CountedSession(DAY, "ok.test",
                PolicyGroup.sts(ServedPolicy.hashOf(sts)), null));
    }

    @Test
    void selfSignedFailureKeepsEveryFailureDetailField() throws Exception {
        ReportedPolicy policy = decode(CapturedDatagrams.get(2)).policies().get(0);

        assertThat(policy.failure()).contains(new ReportedFailure(ResultType.VALIDATION_FAILURE, "127.0.0.1",
                "mx.selfsigned.test", OK_EHLO, "mx.selfsigned.test", "127.0.0.3", "", "self-signed_certificate"));
        assertThat(decode(CapturedDatagrams.get(2)).counted(DAY).get(0).failure()).isEqualTo(new FailureKey(
                ResultType.VALIDATION_FAILURE, "127.0.0.1", "mx.selfsigned.test", "mx.selfsigned.test", "127.0.0.3",
                "self-signed_certificate"));
    }

    @ParameterizedTest
    @CsvSource({
            "3, nostarttls.test, STARTTLS_NOT_SUPPORTED, mx.nostarttls.test, 127.0.0.4",
            "4, wrongname.test, CERTIFICATE_HOST_MISMATCH, mx.wrongname.test, 127.0.0.5",
            "5, failforced.test, STS_WEBPKI_INVALID, mx.ok.test, 127.0.0.2"})
    void capturedFailuresMapTheirResultCodes(int n, String domain, ResultType result, String mx, String ip)
            throws Exception {
        List<CountedSession> sessions = decode(CapturedDatagrams.get(n)).counted(DAY);

        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).policyDomain()).isEqualTo(domain);
        assertThat(sessions.get(0).policy().type()).isEqualTo(PolicyType.STS);
        assertThat(sessions.get(0).failure()).isEqualTo(new FailureKey(result, "127.0.0.1", mx, mx, ip, ""));
    }

    @ParameterizedTest
    @CsvSource({"6, nopolicy.test", "7, npf.test", "8, npf2.test"})
    void noPolicyFoundCountsAsSuccessUnderNoPolicy(int n, String domain) throws Exception {
        assertThat(decode(CapturedDatagrams.get(n)).counted(DAY))
                .containsExactly(new CountedSession(DAY, domain, PolicyGroup.NO_POLICY, null));
    }

    @Test
    void everyCapturedDatagramDecodes() throws Exception {
        for (byte[] datagram : CapturedDatagrams.all()) {
            assertThat(decode(datagram).policies()).hasSize(1);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "201|STARTTLS_NOT_SUPPORTED", "202|CERTIFICATE_HOST_MISMATCH", "203|CERTIFICATE_NOT_TRUSTED",
            "204|CERTIFICATE_EXPIRED", "205|VALIDATION_FAILURE", "301|STS_POLICY_FETCH_ERROR",
            "302|STS_POLICY_INVALID", "303|STS_WEBPKI_INVALID", "304|TLSA_INVALID", "305|DNSSEC_INVALID",
            "306|DANE_REQUIRED"})
    void everyResultCodeMapsToItsRfc8460ResultType(int code, ResultType result) throws Exception {
        TlsrptDatagram datagram = decode(withFailure("{\"c\":" + code + "}"));

        assertThat(datagram.policies().get(0).failure().orElseThrow().result()).isEqualTo(result);
    }

    @Test
    void aTlsaPolicyCountsForTheNextHopUnderItsMxHostAndRecords() throws Exception {
        // Postfix's policy-domain of a tlsa policy is the TLSA base domain (the MX host), its hex upper case
        TlsrptDatagram datagram = decode("{\"dpv\":\"1\",\"d\":\"dane.test\",\"pr\":\"v=TLSRPTv1; rua=mailto:r@dane.test\","
                + "\"policies\":[{\"policy-type\":1,\"policy-domain\":\"MX.dane.test\",\"policy-string\":[\"3 1 1 AB\"],"
                + "\"t\":0,\"f\":0}]}");

        assertThat(datagram.counted(DAY)).containsExactly(new CountedSession(DAY, "dane.test",
                PolicyGroup.tlsa(new TlsaPolicy("mx.dane.test", List.of("3 1 1 ab"))), null));
    }

    @Test
    void aRealDaneDatagramCountsForTheNextHopUnderTheMxHostsLowerCaseRecords() throws Exception {
        byte[] real;
        try (var in = getClass().getResourceAsStream("/datagrams/postfix-3.11.6-dane/datagram-mismatch.json")) {
            real = in.readAllBytes();
        }
        TlsrptDatagram datagram = decode(real);

        assertThat(datagram.tlsrptDomain()).isEqualTo("mismatch.dane.test");
        ReportedPolicy policy = datagram.policies().get(0);
        assertThat(policy.type()).isEqualTo(PolicyType.TLSA);
        assertThat(policy.policyDomain()).isEqualTo("mx.mismatch.dane.test");
        assertThat(policy.mxHosts()).isEmpty();
        String record = "3 1 1 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
        assertThat(datagram.counted(DAY)).containsExactly(new CountedSession(DAY, "mismatch.dane.test",
                PolicyGroup.tlsa(new TlsaPolicy("mx.mismatch.dane.test", List.of(record))),
                new FailureKey(ResultType.CERTIFICATE_NOT_TRUSTED, "127.0.0.1", "mx.mismatch.dane.test",
                        "mx.receiver.test", "127.0.1.34", "")));
    }

    @Test
    void aTlsaPolicyStringThatIsNoTlsaRecordIsRefused() {
        assertThatThrownBy(() -> decode("{\"dpv\":\"1\",\"d\":\"dane.test\",\"pr\":\"v=TLSRPTv1; rua=mailto:r@dane.test\","
                + "\"policies\":[{\"policy-type\":1,\"policy-domain\":\"mx.dane.test\",\"policy-string\":[\"3 1 x\"],"
                + "\"t\":0,\"f\":0}]}"))
                .isInstanceOf(MalformedDatagramException.class)
                .hasMessage("policies[0].policy-string: not a TLSA record in presentation form: \"3 1 x\"");
    }

    @Test
    void stsPolicyStringsThatAreNoPolicyCountUnderAnStsPolicyOfUnknownText() throws Exception {
        TlsrptDatagram datagram = decode(CapturedDatagramsText.ok().replace("\"mode: enforce\",", ""));

        assertThat(datagram.policies().get(0).stsPolicy()).isEmpty();
        assertThat(datagram.counted(DAY).get(0).policy()).isEqualTo(PolicyGroup.STS_UNAVAILABLE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "250-mx.example.com\\r\\n250-PIPELINING\\r\\n250 CHUNKING|mx.example.com",
            "250 mx.example.com ESMTP hello|mx.example.com",
            "250 mx.example.com|mx.example.com",
            "''|''",
            "no code here|''"})
    void theEhloNameIsTheFirstLinesName(String reply, String name) {
        assertThat(DatagramDecoder.ehloName(reply.replace("\\r\\n", "\r\n"))).isEqualTo(name);
    }

    @Test
    void bytesThatAreNotUtf8AreReadAsReplacementCharacters() throws Exception {
        byte[] bytes = withFailure("{\"c\":205,\"h\":\"250 mx \u00e9\"}").getBytes(StandardCharsets.ISO_8859_1);

        assertThat(decode(bytes).policies().get(0).failure().orElseThrow().receivingEhlo()).isEqualTo("250 mx \ufffd");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|NOT_JSON|not a JSON object: empty datagram",
            "[1]|NOT_JSON|not a JSON object: a JSON array",
            "{\"dpv\":\"1\"|NOT_JSON|not a JSON object: Unexpected end-of-input",
            "{\"dpv\":\"1\",\"dpv\":\"1\"}|NOT_JSON|not a JSON object: Duplicate field 'dpv'",
            "{} {}|NOT_JSON|not a JSON object: Trailing token",
            "{\"dpv\":\"2\"}|UNSUPPORTED_VERSION|dpv: protocol version \"2\", only \"1\" is known",
            "{\"dpv\":1}|BAD_VALUE|dpv: expected a string, got number 1",
            "{\"d\":\"x.test\"}|MISSING_FIELD|dpv: required field missing",
            "{\"dpv\":\"1\",\"x\":1}|UNKNOWN_FIELD|\"x\": not a field of protocol version 1 (expected d, dpv, policies, pr)",
            "{\"dpv\":\"1\",\"d\":\"a b.test\"}|BAD_VALUE|d: expected a domain name (A-labels, at most 253 characters), got \"a b.test\"",
            "{\"dpv\":\"1\",\"d\":\"x.test\",\"pr\":\"\"}|MISSING_FIELD|policies: required field missing",
            "{\"dpv\":\"1\",\"d\":\"x.test\",\"pr\":\"\",\"policies\":[]}|BAD_VALUE|policies: expected 1 to 8 policies, got 0",
            "{\"dpv\":\"1\",\"d\":\"x.test\",\"pr\":\"\",\"policies\":{}}|BAD_VALUE|policies: expected an array, got an object",
            "{\"dpv\":\"1\",\"d\":\"x.test\",\"pr\":\"\",\"policies\":[7]}|BAD_VALUE|policies[0]: expected an object, got number 7",
    })
    void malformedDatagramsGetAPreciseError(String json, Reason reason, String message) {
        assertThatThrownBy(() -> decode(json)).isInstanceOf(MalformedDatagramException.class)
                .hasMessageStartingWith(message)
                .satisfies(e -> assertThat(((MalformedDatagramException) e).reason()).isEqualTo(reason));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"policy-type\":3,\"policy-domain\":\"x.test\",\"t\":0,\"f\":0|BAD_VALUE|policies[0].policy-type: unknown policy type 3 (expected 1 tlsa, 2 sts or 9 no-policy-found)",
            "\"policy-type\":2.0,\"policy-domain\":\"x.test\",\"t\":0,\"f\":0|BAD_VALUE|policies[0].policy-type: expected an integer, got number 2.0",
            "\"policy-type\":2,\"t\":0,\"f\":0|MISSING_FIELD|policies[0].policy-domain: required field missing",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"f\":0|MISSING_FIELD|policies[0].t: required field missing",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"t\":0|MISSING_FIELD|policies[0].f: required field missing",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"t\":0,\"f\":2|BAD_VALUE|policies[0].f: expected 0 (success) or 1 (failure), got 2",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"t\":1,\"f\":1|INCONSISTENT|policies[0].t: 1 failure details announced, 0 sent",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"t\":0,\"f\":1|INCONSISTENT|policies[0].f: 1 (failure) needs exactly one failure detail, as Postfix sends, got 0",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[{\"c\":201}],\"t\":1,\"f\":0|INCONSISTENT|policies[0].f: 0 (success) with 1 failure details",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[{\"c\":200}],\"t\":1,\"f\":1|BAD_VALUE|policies[0].failure-details[0].c: unknown result code 200 (expected 201 to 205 or 301 to 306)",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[{\"c\":201,\"s\":1}],\"t\":1,\"f\":1|BAD_VALUE|policies[0].failure-details[0].s: expected a string, got number 1",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[{\"c\":201,\"z\":\"\"}],\"t\":1,\"f\":1|UNKNOWN_FIELD|policies[0].failure-details[0].\"z\": not a field of protocol version 1 (expected a, c, f, h, n, r, s)",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[{\"c\":201,\"r\":\"mx.x.test\"}],\"t\":1,\"f\":1|BAD_VALUE|policies[0].failure-details[0].r: expected an IP address, got \"mx.x.test\"",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[{\"c\":201,\"s\":\"1.2.3.256\"}],\"t\":1,\"f\":1|BAD_VALUE|policies[0].failure-details[0].s: expected an IP address, got \"1.2.3.256\"",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[{\"c\":201,\"n\":\"mx x\"}],\"t\":1,\"f\":1|BAD_VALUE|policies[0].failure-details[0].n: expected a host name, got \"mx x\"",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":{},\"t\":1,\"f\":1|BAD_VALUE|policies[0].failure-details: expected an array, got an object",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"mx-host\":[\"a\",1],\"t\":0,\"f\":0|BAD_VALUE|policies[0].mx-host[1]: expected a string, got number 1",
            "\"policy-type\":9,\"policy-domain\":\"x.test\",\"mx-host\":[\"a\"],\"t\":0,\"f\":0|INCONSISTENT|policies[0]: policy type 9 (no-policy-found) with a policy-string or mx-host",
            "\"policy-type\":2,\"policy-domain\":\"x.test\",\"t\":0,\"f\":0,\"extra\":0|UNKNOWN_FIELD|policies[0].\"extra\": not a field of protocol version 1",
    })
    void malformedPoliciesNameTheirField(String policy, Reason reason, String message) {
        String json = "{\"dpv\":\"1\",\"d\":\"x.test\",\"pr\":\"v=TLSRPTv1; rua=mailto:r@x.test\",\"policies\":[{"
                + policy + "}]}";

        assertThatThrownBy(() -> decode(json)).isInstanceOf(MalformedDatagramException.class)
                .hasMessageStartingWith(message)
                .satisfies(e -> assertThat(((MalformedDatagramException) e).reason()).isEqualTo(reason));
    }

    @Test
    void aFailureReasonLongerThanTheStoreKeepsIsRefusedAndAnOverlongEhloNameIsDropped() throws Exception {
        String longReason = "x".repeat(DatagramDecoder.MAX_REASON_LENGTH + 1);
        assertThatThrownBy(() -> decode(withFailure("{\"c\":205,\"f\":\"" + longReason + "\"}")))
                .isInstanceOf(MalformedDatagramException.class)
                .hasMessage("policies[0].failure-details[0].f: longer than 256 characters (257)");

        String longName = "250 " + "a".repeat(254);
        assertThat(decode(withFailure("{\"c\":205,\"h\":\"" + longName + "\"}")).policies().get(0).failure()
                .orElseThrow().receivingMxHelo()).isEmpty();
    }

    @Test
    void aDatagramOverTheLimitIsRefusedUnread() {
        byte[] big = new byte[DatagramDecoder.MAX_DATAGRAM_BYTES + 1];

        assertThatThrownBy(() -> decode(big)).isInstanceOf(MalformedDatagramException.class)
                .hasMessage("datagram of 262145 bytes, more than the 262144 bytes a Postfix report can have")
                .satisfies(e -> assertThat(((MalformedDatagramException) e).reason()).isEqualTo(Reason.OVERSIZE));
    }

    @Test
    void aDatagramAtTheLimitIsRead() throws Exception {
        String ok = CapturedDatagramsText.ok();
        String padded = ok + " ".repeat(DatagramDecoder.MAX_DATAGRAM_BYTES - ok.length());

        assertThat(decode(padded).policies()).hasSize(1);
    }

    private static String withFailure(String detail) {
        return "{\"dpv\":\"1\",\"d\":\"x.test\",\"pr\":\"v=TLSRPTv1; rua=mailto:r@x.test\",\"policies\":[{"
                + "\"policy-type\":2,\"policy-domain\":\"x.test\",\"failure-details\":[" + detail + "],\"t\":1,\"f\":1}]}";
    }

    /** Captured datagrams as text, to derive variants from. */
    static final class CapturedDatagramsText {
        static String ok() {
            return new String(CapturedDatagrams.get(1), StandardCharsets.UTF_8);
        }
    }
}
