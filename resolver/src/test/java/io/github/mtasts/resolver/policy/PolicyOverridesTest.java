package io.github.mtasts.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mtasts.resolver.policy.PolicyOverride.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyOverridesTest {

    static PolicyOverride override(String pattern, Outcome outcome) {
        return new PolicyOverride(pattern, outcome, List.of());
    }

    @Test
    void withoutEntriesNothingMatches() {
        assertThat(PolicyOverrides.NONE.find("example.com")).isEmpty();
        assertThat(PolicyOverrides.of(List.of())).isSameAs(PolicyOverrides.NONE);
    }

    @Test
    void exactEntryMatchesOnlyItsDomain() {
        PolicyOverrides overrides = PolicyOverrides.of(List.of(override("example.com", Outcome.DANE_ONLY)));

        assertThat(overrides.find("example.com")).map(PolicyOverride::outcome).contains(Outcome.DANE_ONLY);
        assertThat(overrides.find("mail.example.com")).isEmpty();
        assertThat(overrides.find("notexample.com")).isEmpty();
        assertThat(overrides.find("com")).isEmpty();
    }

    @Test
    void parentWildcardMatchesEverySubdomainButNotTheDomainItself() {
        PolicyOverrides overrides = PolicyOverrides.of(List.of(override(".example.com", Outcome.ENCRYPT)));

        assertThat(overrides.find("a.example.com")).map(PolicyOverride::pattern).contains(".example.com");
        assertThat(overrides.find("b.a.example.com")).map(PolicyOverride::pattern).contains(".example.com");
        assertThat(overrides.find("example.com")).isEmpty();
        assertThat(overrides.find("aexample.com")).isEmpty();
    }

    @Test
    void exactEntryWinsOverAParentWhateverTheOrder() {
        PolicyOverrides overrides = PolicyOverrides.of(List.of(
                override(".example.com", Outcome.ENCRYPT), override("a.example.com", Outcome.NONE)));

        assertThat(overrides.find("a.example.com")).map(PolicyOverride::outcome).contains(Outcome.NONE);
        assertThat(overrides.find("b.example.com")).map(PolicyOverride::outcome).contains(Outcome.ENCRYPT);
    }

    @Test
    void longerParentWinsOverShorterWhateverTheOrder() {
        PolicyOverrides overrides = PolicyOverrides.of(List.of(
                override(".com", Outcome.MAY), override(".example.com", Outcome.DANE),
                override(".deep.example.com", Outcome.DANE_ONLY)));

        assertThat(overrides.find("x.deep.example.com")).map(PolicyOverride::outcome).contains(Outcome.DANE_ONLY);
        assertThat(overrides.find("deep.example.com")).map(PolicyOverride::outcome).contains(Outcome.DANE);
        assertThat(overrides.find("example.com")).map(PolicyOverride::outcome).contains(Outcome.MAY);
        assertThat(overrides.find("example.net")).isEmpty();
    }

    @Test
    void aDomainAndItsWildcardAreTwoEntries() {
        PolicyOverrides overrides = PolicyOverrides.of(List.of(
                override("example.com", Outcome.NONE), override(".example.com", Outcome.DANE)));

        assertThat(overrides.find("example.com")).map(PolicyOverride::outcome).contains(Outcome.NONE);
        assertThat(overrides.find("mx.example.com")).map(PolicyOverride::outcome).contains(Outcome.DANE);
    }

    @Test
    void samePatternTwiceIsRefused() {
        assertThatThrownBy(() -> PolicyOverrides.of(List.of(
                override("example.com", Outcome.NONE), override("example.com", Outcome.DANE))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("example.com");
    }

    @Test
    void secureCarriesItsMatchPatternsAndNothingElseDoes() {
        PolicyOverride secure = new PolicyOverride("example.com", Outcome.SECURE,
                List.of("mx1.example.com", ".example.net"));

        assertThat(secure.postfixMatch()).isEqualTo("mx1.example.com:.example.net");
        assertThat(secure.describe()).isEqualTo("secure match=mx1.example.com:.example.net");
        assertThatThrownBy(() -> new PolicyOverride("example.com", Outcome.SECURE, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PolicyOverride("example.com", Outcome.DANE, List.of("mx.example.com")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outcomesReadAsTheirConfigurationWords() {
        assertThat(Outcome.fromWord("dane-only")).contains(Outcome.DANE_ONLY);
        assertThat(Outcome.fromWord("none")).contains(Outcome.NONE);
        assertThat(Outcome.fromWord("verify")).isEmpty();
        assertThat(Outcome.fromWord("DANE")).isEmpty();
    }
}
