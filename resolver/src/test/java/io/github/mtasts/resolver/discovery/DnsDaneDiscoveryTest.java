package io.github.mtasts.resolver.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DaneDiscovery.Discovered;
import io.github.mtasts.resolver.dns.DnssecLookup;
import io.github.mtasts.resolver.policy.DaneHost;
import io.github.mtasts.resolver.policy.DaneState;
import io.github.mtasts.resolver.policy.DaneTarget;
import io.github.mtasts.resolver.policy.DaneTlsa;
import io.github.mtasts.resolver.policy.DaneVerdict;
import io.github.mtasts.resolver.policy.DnssecStatus;
import io.github.mtasts.resolver.policy.TlsaStatus;
import io.github.mtasts.testing.DnssecWorld;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DANE states found through real DNSSEC (nsd serving signed, unsigned and bogus zones, unbound validating), once
 * trusting unbound's AD bit ({@code validation: resolver}) and once validating with dnsjava from the same trust
 * anchors ({@code validation: internal}, unbound then only fetching): both must see the same states.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class DnsDaneDiscoveryTest {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    DnssecWorld world;
    DnsDaneDiscovery resolverAd;
    DnsDaneDiscovery internal;

    @BeforeAll
    void startWorld() throws Exception {
        world = DnssecWorld.start();
        resolverAd = new DnsDaneDiscovery(DnssecLookup.trustingResolver(List.of(world.resolver()), TIMEOUT));
        try (InputStream anchors = Files.newInputStream(world.trustAnchors())) {
            internal = new DnsDaneDiscovery(DnssecLookup.validating(List.of(world.resolver()), anchors, TIMEOUT));
        }
    }

    @AfterAll
    void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    Stream<Arguments> validations() {
        return Stream.of(Arguments.of("resolver", resolverAd), Arguments.of("internal", internal));
    }

    Discovered discover(DnsDaneDiscovery discovery, String domain) throws Exception {
        return discover(discovery, DaneTarget.mx(domain));
    }

    Discovered discover(DnsDaneDiscovery discovery, DaneTarget target) throws Exception {
        Discovered found = discovery.discover(target).get(20, TimeUnit.SECONDS);
        assertThat(found).as("%s\n%s", target, world.logs()).isNotNull();
        return found;
    }

    static List<TlsaStatus> statuses(DaneState state) {
        return state.hosts().stream().map(DaneHost::status).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void secureMxWithUsableTlsaIsDane(String validation, DnsDaneDiscovery discovery) throws Exception {
        Discovered found = discover(discovery, "usable.signed.test");
        DaneState state = found.state();
        assertThat(state.mx()).as(state.detail()).isEqualTo(DnssecStatus.SECURE);
        assertThat(state.hosts()).singleElement().satisfies(host -> {
            assertThat(host.host()).isEqualTo("mx-usable.signed.test");
            assertThat(host.status()).as(host.detail()).isEqualTo(TlsaStatus.SECURE_USABLE);
            assertThat(host.records()).extracting(DaneTlsa::toString).containsExactly(DnssecWorld.USABLE_TLSA);
        });
        assertThat(state.verdict()).isEqualTo(DaneVerdict.APPLIES);
        // the zone's TTL is 300 s; dnsjava's validator may hand on a TTL it lowered to the signatures' life
        assertThat(found.ttl()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(300));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void secureHostsWithoutUsableTlsa(String validation, DnsDaneDiscovery discovery) throws Exception {
        DaneState unusable = discover(discovery, "unusable.signed.test").state();
        assertThat(statuses(unusable)).containsExactly(TlsaStatus.SECURE_UNUSABLE);
        assertThat(unusable.hosts().get(0).records()).extracting(DaneTlsa::toString)
                .containsExactly(DnssecWorld.UNUSABLE_TLSA);
        assertThat(unusable.verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);

        Discovered denied = discover(discovery, "denied.signed.test");
        assertThat(statuses(denied.state())).as(denied.state().hosts().toString())
                .containsExactly(TlsaStatus.SECURE_DENIED);
        assertThat(denied.state().verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);
        // the denial is cached by the SOA minimum, 60 s
        assertThat(denied.ttl()).isLessThanOrEqualTo(Duration.ofSeconds(60));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void hostsInPreferenceOrderOneUsableIsEnough(String validation, DnsDaneDiscovery discovery) throws Exception {
        DaneState mixed = discover(discovery, "mixed.signed.test").state();
        assertThat(mixed.hosts()).extracting(DaneHost::host)
                .containsExactly("mx-denied.signed.test", "mx-usable.signed.test");
        assertThat(statuses(mixed)).containsExactly(TlsaStatus.SECURE_DENIED, TlsaStatus.SECURE_USABLE);
        assertThat(mixed.verdict()).isEqualTo(DaneVerdict.APPLIES);
    }

    /**
     * An MX host that is a CNAME, as Postfix's tls_dane_resolve looks: TLSA records at the end of a secure chain
     * first, then at the MX host's own name; at its own name only when the chain ends in an unsigned zone but the
     * CNAME itself is signed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void anMxHostThatIsAnAliasHasTheTlsaRecordsPostfixUses(String validation, DnsDaneDiscovery discovery)
            throws Exception {
        DaneState atTarget = discover(discovery, "aliased.signed.test").state();
        assertThat(atTarget.hosts()).singleElement().satisfies(host -> {
            assertThat(host.host()).isEqualTo("mx-alias.signed.test");
            assertThat(host.status()).as(host.detail()).isEqualTo(TlsaStatus.SECURE_USABLE);
            assertThat(host.detail()).contains("alias of mx-usable.signed.test");
        });
        assertThat(atTarget.verdict()).isEqualTo(DaneVerdict.APPLIES);

        Discovered ownName = discover(discovery, "aliasname.signed.test");
        DaneState atOwnName = ownName.state();
        assertThat(statuses(atOwnName)).as(atOwnName.hosts().toString()).containsExactly(TlsaStatus.SECURE_USABLE);
        assertThat(atOwnName.verdict()).isEqualTo(DaneVerdict.APPLIES);
        // found at the host's name because the chain's end had none: asked again when that denial (60 s) expires
        assertThat(ownName.ttl()).isLessThanOrEqualTo(Duration.ofSeconds(60));

        DaneState toUnsigned = discover(discovery, "aliasplain.signed.test").state();
        assertThat(statuses(toUnsigned)).as(toUnsigned.hosts().toString()).containsExactly(TlsaStatus.SECURE_USABLE);
        assertThat(toUnsigned.hosts().get(0).records()).extracting(DaneTlsa::toString)
                .containsExactly(DnssecWorld.USABLE_TLSA);
        assertThat(toUnsigned.verdict()).isEqualTo(DaneVerdict.APPLIES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void withoutMxTheDomainIsItsOwnHost(String validation, DnsDaneDiscovery discovery) throws Exception {
        DaneState nomx = discover(discovery, "nomx.signed.test").state();
        assertThat(nomx.mx()).isEqualTo(DnssecStatus.SECURE);
        assertThat(nomx.hosts()).extracting(DaneHost::host).containsExactly("nomx.signed.test");
        assertThat(nomx.verdict()).isEqualTo(DaneVerdict.APPLIES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void nullMxAndNonexistentDomainsAreNotDane(String validation, DnsDaneDiscovery discovery) throws Exception {
        DaneState nullMx = discover(discovery, "nullmx.signed.test").state();
        assertThat(nullMx.mx()).isEqualTo(DnssecStatus.SECURE);
        assertThat(nullMx.hosts()).isEmpty();
        DaneState missing = discover(discovery, "missing.signed.test").state();
        assertThat(missing.mx()).as(missing.detail()).isEqualTo(DnssecStatus.SECURE);
        assertThat(missing.verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void unsignedZoneIsInsecureWhateverItsTlsa(String validation, DnsDaneDiscovery discovery) throws Exception {
        DaneState plain = discover(discovery, "plain.test").state();
        assertThat(plain.mx()).as(plain.detail()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(plain.verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);

        DaneState cross = discover(discovery, "cross.signed.test").state();
        assertThat(statuses(cross)).as(cross.hosts().toString()).containsExactly(TlsaStatus.INSECURE);
        assertThat(cross.verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void bogusDataIsIndeterminate(String validation, DnsDaneDiscovery discovery) throws Exception {
        DaneState bogus = discover(discovery, "bogus.test").state();
        assertThat(bogus.mx()).as(bogus.detail()).isEqualTo(DnssecStatus.INDETERMINATE);
        assertThat(bogus.verdict()).isEqualTo(DaneVerdict.INDETERMINATE);

        DaneState toBogus = discover(discovery, "tobogus.signed.test").state();
        assertThat(statuses(toBogus)).as(toBogus.hosts().toString()).containsExactly(TlsaStatus.INDETERMINATE);
        assertThat(toBogus.verdict()).isEqualTo(DaneVerdict.INDETERMINATE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void relayWithTlsaAtItsPortIsItsOwnOneHostState(String validation, DnsDaneDiscovery discovery) throws Exception {
        // usable.signed.test: TLSA at port 587 only, its MX host's at 25 do not count for the relay
        Discovered at587 = discover(discovery, new DaneTarget("usable.signed.test", 587, false));
        DaneState state = at587.state();
        assertThat(state.domain()).isEqualTo("[usable.signed.test]:587");
        assertThat(state.mx()).as(state.detail()).isEqualTo(DnssecStatus.SECURE);
        assertThat(state.detail()).contains("no MX lookup").contains("usable.signed.test A: 1 record(s), secure");
        assertThat(state.hosts()).singleElement().satisfies(host -> {
            assertThat(host.host()).isEqualTo("usable.signed.test");
            assertThat(host.status()).as(host.detail()).isEqualTo(TlsaStatus.SECURE_USABLE);
            assertThat(host.detail()).startsWith("_587._tcp.usable.signed.test TLSA");
            assertThat(host.records()).extracting(DaneTlsa::toString).containsExactly(DnssecWorld.USABLE_TLSA);
        });
        assertThat(state.verdict()).isEqualTo(DaneVerdict.APPLIES);
        assertThat(at587.ttl()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(300));

        DaneState at25 = discover(discovery, new DaneTarget("usable.signed.test", 25, false)).state();
        assertThat(statuses(at25)).as(at25.hosts().toString()).containsExactly(TlsaStatus.SECURE_DENIED);
        assertThat(at25.verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);

        // denied.signed.test the other way round: its MX host has no TLSA, the relay has them at port 25
        DaneState relay25 = discover(discovery, new DaneTarget("denied.signed.test", 25, false)).state();
        assertThat(statuses(relay25)).as(relay25.hosts().toString()).containsExactly(TlsaStatus.SECURE_USABLE);
        assertThat(relay25.verdict()).isEqualTo(DaneVerdict.APPLIES);
        assertThat(discover(discovery, "denied.signed.test").state().verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void relayWithoutTlsaOrWithoutSecureAddressIsNotDane(String validation, DnsDaneDiscovery discovery)
            throws Exception {
        DaneState noTlsa = discover(discovery, new DaneTarget("mx-denied.signed.test", 25, false)).state();
        assertThat(noTlsa.mx()).isEqualTo(DnssecStatus.SECURE);
        assertThat(statuses(noTlsa)).containsExactly(TlsaStatus.SECURE_DENIED);
        assertThat(noTlsa.verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);

        // Postfix does not look up TLSA records of a relay whose address is insecure, whatever it publishes
        DaneState insecure = discover(discovery, new DaneTarget("mx.plain.test", 25, false)).state();
        assertThat(insecure.mx()).as(insecure.detail()).isEqualTo(DnssecStatus.INSECURE);
        assertThat(insecure.hosts()).isEmpty();
        assertThat(insecure.verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);

        DaneState bogus = discover(discovery, new DaneTarget("mx.bogus.test", 25, false)).state();
        assertThat(bogus.mx()).as(bogus.detail()).isEqualTo(DnssecStatus.INDETERMINATE);
        assertThat(bogus.verdict()).isEqualTo(DaneVerdict.INDETERMINATE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validations")
    void hostPortLooksUpTheMxHostsTlsaAtThatPort(String validation, DnsDaneDiscovery discovery) throws Exception {
        DaneState at2525 = discover(discovery, new DaneTarget("usable.signed.test", 2525, true)).state();
        assertThat(at2525.domain()).isEqualTo("usable.signed.test:2525");
        assertThat(at2525.hosts()).extracting(DaneHost::host).containsExactly("mx-usable.signed.test");
        assertThat(statuses(at2525)).containsExactly(TlsaStatus.SECURE_DENIED);
    }
}
