package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 16, item 5: Postfix built with TLSRPT reports every TLS handshake to {@code smtp_tlsrpt_socket_name} as one
 * JSON datagram, built from our socketmap answer's TLSRPT attributes. A test-side receiver stands where the
 * collector will; the datagrams must carry our policy exactly (type sts, policy domain, the policy's lines, its mx
 * patterns as published) and the result Postfix saw.
 */
@ExtendWith(MailWorldExtension.class)
class TlsrptDatagramTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DOMAINS = List.of("good.test", "wildcard.test", "selfsigned.test",
            "wrongname.test", "nostarttls.test", "nopolicy.test");

    private static MailWorld world;
    private static MtastsDaemon daemon;

    @BeforeAll
    static void startDaemon(MailWorld mailWorld) {
        world = mailWorld;
        daemon = MtastsDaemon.start(world, world.newDirectory("daemon"), MailWorld.SOCKETMAP_PORT,
                List.of(TlsrptPostfixDeliveryTest.RPT));
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @ParameterizedTest(name = "Postfix {0}")
    @ValueSource(strings = {"3.11.6", "3.10.13"})
    void everyHandshakeIsReportedWithOurPolicyAndItsResult(String version) throws JsonProcessingException {
        Map<String, List<JsonNode>> byDomain = new LinkedHashMap<>();
        List<String> datagrams;
        List<String> log;
        try (TlsrptDatagramReceiver receiver = TlsrptDatagramReceiver.bind(
                world.newDirectory("tlsrpt-socket").resolve("tlsrpt.sock"))) {
            SendingPostfix sender = world.newSender(PostfixBuild.withTlsrpt(version),
                    daemon.table(TlsrptPostfixDeliveryTest.RPT.name()),
                    Map.of("smtp_tlsrpt_enable", "yes", "smtp_tlsrpt_socket_name", receiver.socket().toString()));
            try {
                List<String> recipients = DOMAINS.stream().map(SendingPostfix::uniqueRecipient).toList();
                recipients.forEach(sender::send);
                recipients.forEach(sender::awaitFirstAttempt);
                Waits.until("a datagram for each domain", Waits.GENEROUS,
                        () -> DOMAINS.stream().allMatch(d -> receiver.datagrams().stream().anyMatch(
                                json -> json.contains("\"d\": \"" + d + "\""))));
            } finally {
                sender.close();
            }
            // the sender has stopped, so every handshake it logged has been sent; the last may still be in transit
            log = sender.log();
            long reported = log.stream().filter(line -> line.contains(" TLSRPT: status=")).count();
            Waits.until(reported + " datagrams", Waits.GENEROUS, () -> receiver.datagrams().size() >= reported);
            datagrams = receiver.datagrams();
        }
        for (String datagram : datagrams) {
            JsonNode node = JSON.readTree(datagram);
            byDomain.computeIfAbsent(node.path("d").asText(), d -> new ArrayList<>()).add(node);
        }

        assertThat(datagrams).as("one datagram per handshake the sender logged as reported")
                .hasSize((int) log.stream().filter(line -> line.contains(" TLSRPT: status=")).count());
        assertThat(log).as("the sender's complaints")
                .noneMatch(line -> TlsrptPostfixDeliveryTest.COMPLAINT.matcher(line).find()
                        || line.contains("Could not report TLS handshake result"));
        assertThat(byDomain.keySet()).containsExactlyInAnyOrderElementsOf(DOMAINS);
        assertSts(byDomain.get("good.test"), "good.test", 0);
        assertSts(byDomain.get("wildcard.test"), "wildcard.test", 0);
        assertFailure(assertSts(byDomain.get("selfsigned.test"), "selfsigned.test", 1), 205, "selfsigned.test");
        assertFailure(assertSts(byDomain.get("wrongname.test"), "wrongname.test", 1), 202, "wrongname.test");
        assertFailure(assertSts(byDomain.get("nostarttls.test"), "nostarttls.test", 1), 201, "nostarttls.test");
        for (JsonNode datagram : byDomain.get("nopolicy.test")) {
            JsonNode policy = onlyPolicy(datagram);
            assertThat(policy.path("policy-type").asInt()).as(datagram.toString()).isEqualTo(9);
            assertThat(policy.path("policy-domain").asText()).isEqualTo("nopolicy.test");
            assertThat(policy.has("policy-string")).as(datagram.toString()).isFalse();
        }
    }

    /**
     * Why a TLSRPT-capable Postfix needs {@code tlsrpt: true}: without the attributes, a session under an enforced
     * STS policy is reported as if the domain had none.
     */
    @Test
    void withoutTheAttributesAnEnforcedSessionIsReportedAsNoPolicyFound() throws JsonProcessingException {
        List<String> datagrams;
        try (TlsrptDatagramReceiver receiver = TlsrptDatagramReceiver.bind(
                world.newDirectory("tlsrpt-socket").resolve("tlsrpt.sock"))) {
            try (SendingPostfix sender = world.newSender(PostfixBuild.withTlsrpt("3.11.6"), daemon.table("postfix"),
                    Map.of("smtp_tlsrpt_enable", "yes", "smtp_tlsrpt_socket_name", receiver.socket().toString()))) {
                Delivery delivery = sender.sendAndAwait(SendingPostfix.uniqueRecipient("good.test"));
                assertThat(delivery.sent()).as(delivery.toString()).isTrue();
                assertThat(delivery.logged("Verified TLS connection established")).as(delivery.toString()).isTrue();
                Waits.until("a TLSRPT datagram", Waits.GENEROUS, () -> !receiver.datagrams().isEmpty());
            }
            datagrams = receiver.datagrams();
        }

        assertThat(datagrams).hasSize(1);
        JsonNode policy = onlyPolicy(JSON.readTree(datagrams.get(0)));
        assertThat(policy.path("policy-type").asInt()).as(datagrams.get(0)).isEqualTo(9);
        assertThat(policy.has("policy-string")).as(datagrams.get(0)).isFalse();
    }

    /** Checks every datagram of {@code domain} carries our STS policy and the final result {@code f}. */
    private static List<JsonNode> assertSts(List<JsonNode> datagrams, String domain, int f) {
        TestDomain d = TestZone.domain(domain);
        List<String> policyLines = Arrays.asList(d.policyText().split("\n"));
        for (JsonNode datagram : datagrams) {
            assertThat(datagram.path("dpv").asText()).isEqualTo("1");
            assertThat(datagram.path("pr").asText()).as(datagram.toString()).startsWith("v=TLSRPTv1;");
            JsonNode policy = onlyPolicy(datagram);
            assertThat(policy.path("policy-type").asInt()).as(datagram.toString()).isEqualTo(2);
            assertThat(policy.path("policy-domain").asText()).as(datagram.toString()).isEqualTo(domain);
            assertThat(texts(policy.path("policy-string"))).as(datagram.toString()).isEqualTo(policyLines);
            assertThat(texts(policy.path("mx-host"))).as(datagram.toString()).isEqualTo(d.policyMx());
            assertThat(policy.path("f").asInt()).as(datagram.toString()).isEqualTo(f);
        }
        return datagrams;
    }

    private static void assertFailure(List<JsonNode> datagrams, int resultType, String domain) {
        TestDomain d = TestZone.domain(domain);
        for (JsonNode datagram : datagrams) {
            JsonNode policy = onlyPolicy(datagram);
            assertThat(policy.path("t").asInt()).as(datagram.toString()).isEqualTo(1);
            JsonNode detail = policy.path("failure-details").path(0);
            assertThat(detail.path("c").asInt()).as(datagram.toString()).isEqualTo(resultType);
            assertThat(detail.path("n").asText()).as(datagram.toString()).isEqualTo(d.mxHost());
            assertThat(detail.path("r").asText()).as(datagram.toString()).isEqualTo(d.mxAddress());
        }
    }

    private static JsonNode onlyPolicy(JsonNode datagram) {
        assertThat(datagram.path("policies").size()).as(datagram.toString()).isEqualTo(1);
        return datagram.path("policies").path(0);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
