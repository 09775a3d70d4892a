package io.github.mtasts.resolver.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class HttpConnectionCapTest {

    @Test
    void aConnectionAnsweredLastIsTheLastToBeClosed() {
        HttpConnectionCap cap = new HttpConnectionCap(2);
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        assertThat(cap.admit(first)).isTrue();
        assertThat(cap.admit(second)).isTrue();
        cap.requestReceived(first);
        cap.answered(first);

        assertThat(cap.admit(new EmbeddedChannel())).isTrue();

        assertThat(second.isOpen()).as("idle longest: never answered since it connected").isFalse();
        assertThat(first.isOpen()).isTrue();
        assertThat(cap.evicted()).isEqualTo(1);
    }

    @Test
    void aClosedConnectionFreesItsPlace() {
        HttpConnectionCap cap = new HttpConnectionCap(1);
        EmbeddedChannel first = new EmbeddedChannel();
        cap.admit(first);
        cap.requestReceived(first);
        first.close();

        EmbeddedChannel second = new EmbeddedChannel();
        assertThat(cap.admit(second)).isTrue();

        assertThat(second.isOpen()).isTrue();
        assertThat(cap.evicted()).isZero();
        assertThat(cap.refused()).isZero();
    }

    @Test
    void whileEveryConnectionIsBusyTheNewOneIsClosed() {
        HttpConnectionCap cap = new HttpConnectionCap(1);
        EmbeddedChannel busy = new EmbeddedChannel();
        cap.admit(busy);
        cap.requestReceived(busy);
        EmbeddedChannel newcomer = new EmbeddedChannel();

        assertThat(cap.admit(newcomer)).isFalse();

        assertThat(newcomer.isOpen()).isFalse();
        assertThat(busy.isOpen()).isTrue();
        assertThat(cap.refused()).isEqualTo(1);
    }

    @Test
    void aCapBelowOneIsRefused() {
        assertThatThrownBy(() -> new HttpConnectionCap(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an HTTP connection cap below 1: 0");
    }
}
