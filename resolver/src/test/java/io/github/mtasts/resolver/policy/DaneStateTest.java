package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7672 §2.2 as the design states it: every MX status against every combination of host TLSA statuses. */
class DaneStateTest {

    static DaneState state(DnssecStatus mx, List<TlsaStatus> hosts) {
        List<DaneHost> list = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            list.add(new DaneHost("mx" + i + ".example.com", hosts.get(i), List.of(), "test"));
        }
        return new DaneState("example.com", mx, list, "test");
    }

    /** Every list of up to three host statuses, each of the five statuses in every position. */
    static List<List<TlsaStatus>> hostCombinations() {
        List<List<TlsaStatus>> all = new ArrayList<>();
        all.add(List.of());
        List<List<TlsaStatus>> previous = List.of(List.of());
        for (int length = 1; length <= 3; length++) {
            List<List<TlsaStatus>> next = new ArrayList<>();
            for (List<TlsaStatus> prefix : previous) {
                for (TlsaStatus status : TlsaStatus.values()) {
                    List<TlsaStatus> extended = new ArrayList<>(prefix);
                    extended.add(status);
                    next.add(extended);
                }
            }
            all.addAll(next);
            previous = next;
        }
        return all;
    }

    @ParameterizedTest
    @CsvSource({
            // one host: its TLSA status decides
            "SECURE_USABLE,   APPLIES",
            "SECURE_UNUSABLE, DOES_NOT_APPLY",
            "SECURE_DENIED,   DOES_NOT_APPLY",
            "INSECURE,        DOES_NOT_APPLY",
            "INDETERMINATE,   INDETERMINATE"})
    void secureMxWithOneHost(TlsaStatus host, DaneVerdict expected) {
        assertThat(state(DnssecStatus.SECURE, List.of(host)).verdict()).isEqualTo(expected);
    }

    @Test
    void everyCombinationFollowsTheTable() {
        List<List<TlsaStatus>> combinations = hostCombinations();
        assertThat(combinations).hasSize(1 + 5 + 25 + 125);
        for (List<TlsaStatus> hosts : combinations) {
            boolean usable = hosts.contains(TlsaStatus.SECURE_USABLE);
            boolean indeterminate = hosts.contains(TlsaStatus.INDETERMINATE);
            DaneVerdict secure = usable ? DaneVerdict.APPLIES
                    : indeterminate ? DaneVerdict.INDETERMINATE : DaneVerdict.DOES_NOT_APPLY;
            assertThat(state(DnssecStatus.SECURE, hosts).verdict()).as("secure MX, hosts %s", hosts)
                    .isEqualTo(secure);
        }
        // an insecure or indeterminate MX RRset has no host looked up, whatever its hosts would say
        assertThat(state(DnssecStatus.INSECURE, List.of()).verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);
        assertThat(state(DnssecStatus.INDETERMINATE, List.of()).verdict()).isEqualTo(DaneVerdict.INDETERMINATE);
    }

    @Test
    void hostsOfAnInsecureMxRrsetAreRefused() {
        for (DnssecStatus mx : List.of(DnssecStatus.INSECURE, DnssecStatus.INDETERMINATE)) {
            assertThatThrownBy(() -> state(mx, List.of(TlsaStatus.SECURE_USABLE)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void secureMxWithoutHostsIsNotDane() {
        // a null MX (RFC 7505) or a domain proven not to exist
        assertThat(state(DnssecStatus.SECURE, List.of()).verdict()).isEqualTo(DaneVerdict.DOES_NOT_APPLY);
    }

    @Test
    void indeterminateFactoryIsIndeterminate() {
        assertThat(DaneState.indeterminate("example.com", "timeout").verdict()).isEqualTo(DaneVerdict.INDETERMINATE);
    }
}
