package io.github.mtasts.resolver.store;

import static io.github.mtasts.resolver.store.Policies.enforce;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.mtasts.resolver.discovery.DiscoveryResult.FailureType;
import io.github.mtasts.resolver.policy.PolicyMode;
import io.github.mtasts.resolver.policy.StsPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link PolicyStore} shares; one subclass per implementation, so they cannot drift apart. */
abstract class PolicyStoreContract {

    static final Instant T0 = Instant.parse("2026-11-29T01:00:00Z");
    static final LocalDate DAY = LocalDate.parse("2026-11-29");

    PolicyStore store;

    abstract PolicyStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static CachedPolicy cached(String domain, String txtId, StsPolicy policy) {
        return new CachedPolicy(domain, txtId, policy, T0, T0.plusSeconds(policy.maxAge() + 60), T0.plusSeconds(60));
    }

    @Test
    void saveThenLoadKeepsEveryField() {
        CachedPolicy saved = cached("example.com", "20261129T01", enforce(86400, "mx1.example.com", "*.example.net"));

        store.save(saved);

        assertThat(store.load("example.com")).contains(saved);
    }

    @Test
    void policyWithoutMxOrLinesRoundTrips() {
        StsPolicy none = new StsPolicy(PolicyMode.NONE, 0, List.of(), List.of());
        CachedPolicy saved = new CachedPolicy("gone.example", "x", none, T0, T0, T0);

        store.save(saved);

        assertThat(store.load("gone.example")).contains(saved);
    }

    @Test
    void timesBeyond2038RoundTrip() {
        Instant late = Instant.parse("2106-02-07T06:28:16Z");
        CachedPolicy saved = new CachedPolicy("late.example", "1", enforce(31557600, "mx.late.example"), late,
                late.plusSeconds(31557600), late);

        store.save(saved);

        assertThat(store.load("late.example")).contains(saved);
    }

    @Test
    void loadOfUnknownDomainIsEmpty() {
        assertThat(store.load("unknown.example")).isEmpty();
    }

    @Test
    void saveReplacesThePolicyOfTheSameDomain() {
        store.save(cached("example.com", "1", enforce(600, "mx1.example.com")));
        CachedPolicy newer = cached("example.com", "2", enforce(900, "mx2.example.com"));

        store.save(newer);

        assertThat(store.load("example.com")).contains(newer);
        assertThat(store.loadAll()).containsExactly(newer);
    }

    @Test
    void loadAllReturnsEverySavedPolicy() {
        CachedPolicy a = cached("a.example", "1", enforce(600, "mx.a.example"));
        CachedPolicy b = cached("b.example", "1", enforce(700, "mx.b.example"));
        store.save(a);
        store.save(b);

        assertThat(store.loadAll()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void removeDeletesOnlyThatDomain() {
        CachedPolicy a = cached("a.example", "1", enforce(600, "mx.a.example"));
        CachedPolicy b = cached("b.example", "1", enforce(700, "mx.b.example"));
        store.save(a);
        store.save(b);

        store.remove("a.example");

        assertThat(store.load("a.example")).isEmpty();
        assertThat(store.loadAll()).containsExactly(b);
    }

    @Test
    void policyServedWidensFirstAndLastServed() {
        StsPolicy policy = enforce(600, "mx.a.example");

        store.policyServed("a.example", policy, T0.plusSeconds(100), T0.plusSeconds(200));
        store.policyServed("a.example", policy, T0.plusSeconds(50), T0.plusSeconds(150));
        store.policyServed("a.example", policy, T0.plusSeconds(300), T0.plusSeconds(400));

        assertThat(store.servedPolicies("a.example")).containsExactly(new ServedPolicy("a.example",
                ServedPolicy.hashOf(policy), ServedPolicy.textOf(policy), PolicyMode.ENFORCE, T0.plusSeconds(50),
                T0.plusSeconds(400)));
    }

    @Test
    void servedPoliciesAreKeptPerPolicyAndDomainInOrderOfFirstServed() {
        StsPolicy testing = Policies.policy(PolicyMode.TESTING, 600, "mx.a.example");
        StsPolicy enforcing = enforce(600, "mx.a.example");
        store.policyServed("a.example", testing, T0, T0.plusSeconds(10));
        store.policyServed("a.example", enforcing, T0.plusSeconds(10), T0.plusSeconds(20));
        store.policyServed("b.example", enforcing, T0, T0);

        List<ServedPolicy> served = store.servedPolicies("a.example");

        assertThat(served).extracting(ServedPolicy::mode).containsExactly(PolicyMode.TESTING, PolicyMode.ENFORCE);
        assertThat(served.get(1).policyText()).isEqualTo("version: STSv1\nmode: enforce\nmx: mx.a.example\nmax_age: 600");
        assertThat(served.get(0).policyHash()).isNotEqualTo(served.get(1).policyHash()).hasSize(64);
        assertThat(store.servedPolicies("b.example")).hasSize(1);
    }

    static DiscoveryFailureCount failureCount(String domain, FailureType type, long count, String lastDetail,
                                             Instant first, Instant last) {
        return new DiscoveryFailureCount(domain, DiscoveryFailureCount.dayOf(first), type, count, lastDetail, first,
                last);
    }

    @Test
    void discoveryFailuresAreCountedPerDomainDayAndTypeKeepingTheLastDetail() {
        Instant nextDay = T0.plus(Duration.ofDays(1));
        store.discoveryFailure("a.example", T0, FailureType.POLICY_FETCH_ERROR, "HTTP 404");
        store.discoveryFailure("a.example", T0.plusSeconds(60), FailureType.POLICY_FETCH_ERROR, "HTTP 500");
        store.discoveryFailure("a.example", T0, FailureType.WEBPKI_INVALID, "certificate expired");
        store.discoveryFailure("a.example", nextDay, FailureType.POLICY_FETCH_ERROR, "timeout");
        store.discoveryFailure("b.example", T0, FailureType.POLICY_INVALID, "line 2: unknown mode");

        assertThat(store.discoveryFailures(DAY)).containsExactly(
                failureCount("a.example", FailureType.POLICY_FETCH_ERROR, 2, "HTTP 500", T0, T0.plusSeconds(60)),
                failureCount("a.example", FailureType.WEBPKI_INVALID, 1, "certificate expired", T0, T0),
                failureCount("b.example", FailureType.POLICY_INVALID, 1, "line 2: unknown mode", T0, T0));
        assertThat(store.discoveryFailures(DAY.plusDays(1))).containsExactly(
                failureCount("a.example", FailureType.POLICY_FETCH_ERROR, 1, "timeout", nextDay, nextDay));
    }

    @Test
    void failureTimesSpanTheDaysFirstAndLastFailureInWholeSecondsWhateverTheWriteOrder() {
        Instant late = T0.plus(Duration.ofHours(22));
        store.discoveryFailure("a.example", late.plusMillis(900), FailureType.POLICY_FETCH_ERROR, "HTTP 503");
        store.discoveryFailure("a.example", T0.plusMillis(400), FailureType.POLICY_FETCH_ERROR, "HTTP 404");
        store.discoveryFailure("a.example", T0.plus(Duration.ofHours(5)), FailureType.POLICY_FETCH_ERROR, "HTTP 500");

        assertThat(store.discoveryFailures(DAY)).as("a late-written earlier failure keeps the latest detail")
                .containsExactly(failureCount("a.example", FailureType.POLICY_FETCH_ERROR, 3, "HTTP 503", T0, late));
    }

    @Test
    void failureCountsOnTheUtcDayOfItsTime() {
        Instant lastSecond = Instant.parse("2026-11-29T23:59:59.999Z");
        store.discoveryFailure("a.example", lastSecond, FailureType.POLICY_INVALID, "before midnight");
        store.discoveryFailure("a.example", lastSecond.plusMillis(1), FailureType.POLICY_INVALID, "after midnight");

        assertThat(store.discoveryFailures(DAY)).extracting(DiscoveryFailureCount::lastDetail)
                .containsExactly("before midnight");
        assertThat(store.discoveryFailures(DAY.plusDays(1))).extracting(DiscoveryFailureCount::lastDetail)
                .containsExactly("after midnight");
    }

    @Test
    void failuresOfOneDomainAreListedAcrossDaysInTimeOrder() {
        Instant dayBefore = T0.minus(Duration.ofDays(1)).plus(Duration.ofHours(20));
        store.discoveryFailure("a.example", T0.plusSeconds(30), FailureType.WEBPKI_INVALID, "certificate expired");
        store.discoveryFailure("a.example", T0, FailureType.POLICY_FETCH_ERROR, "HTTP 404");
        store.discoveryFailure("a.example", dayBefore, FailureType.POLICY_FETCH_ERROR, "timeout");
        store.discoveryFailure("b.example", T0, FailureType.POLICY_FETCH_ERROR, "HTTP 404");

        assertThat(store.discoveryFailures("a.example")).containsExactly(
                failureCount("a.example", FailureType.POLICY_FETCH_ERROR, 1, "timeout", dayBefore, dayBefore),
                failureCount("a.example", FailureType.POLICY_FETCH_ERROR, 1, "HTTP 404", T0, T0),
                failureCount("a.example", FailureType.WEBPKI_INVALID, 1, "certificate expired", T0.plusSeconds(30),
                        T0.plusSeconds(30)));
        assertThat(store.discoveryFailures("c.example")).isEmpty();
    }

    @Test
    void leaseIsHeldByOneOwnerWhoMayRenewIt() {
        assertThat(store.tryLease("proactive-refresh", "daemon-a", Duration.ofMinutes(5))).isTrue();

        assertThat(store.tryLease("proactive-refresh", "daemon-b", Duration.ofMinutes(5))).isFalse();
        assertThat(store.tryLease("proactive-refresh", "daemon-a", Duration.ofMinutes(5))).isTrue();
        assertThat(store.tryLease("proactive-refresh", "daemon-b", Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void leasesOfDifferentNamesAreIndependent() {
        assertThat(store.tryLease("one", "daemon-a", Duration.ofMinutes(5))).isTrue();

        assertThat(store.tryLease("two", "daemon-b", Duration.ofMinutes(5))).isTrue();
    }

    @Test
    void expiredLeaseGoesToTheNextOwner() throws InterruptedException {
        assertThat(store.tryLease("proactive-refresh", "daemon-a", Duration.ofMillis(1))).isTrue();
        // waits past the expiry; the assertion does not depend on how long the wait took
        Thread.sleep(50);

        assertThat(store.tryLease("proactive-refresh", "daemon-b", Duration.ofMinutes(5))).isTrue();
        assertThat(store.tryLease("proactive-refresh", "daemon-a", Duration.ofMinutes(5))).isFalse();
    }
}
