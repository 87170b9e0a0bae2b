package org.mptcp4j.net.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestbedConfigTest {
    @Test
    void rates_parseAndFormatLikeTc() {
        assertThat(TestbedConfig.parseRate("1gbit")).isEqualTo(1_000_000_000L);
        assertThat(TestbedConfig.parseRate("2.5mbit")).isEqualTo(2_500_000L);
        assertThat(TestbedConfig.parseRate("unlimited")).isZero();
        assertThat(TestbedConfig.formatRate(100_000_000L)).isEqualTo("100mbit");
        assertThat(TestbedConfig.formatRate(0)).isEqualTo("unlimited");
    }

    @Test
    void badInput_isRefusedWithTheReason() {
        assertThatThrownBy(() -> TestbedConfig.parseRate("fast")).hasMessageContaining("not a rate");
        assertThatThrownBy(() -> TestbedConfig.defaults("Bad/Id")).hasMessageContaining("testbed id");
        assertThatThrownBy(() -> TestbedConfig.defaults("ok").withQdisc("netem")).hasMessageContaining("tbf or htb");
        assertThatThrownBy(() -> TestbedConfig.defaults("ok").withMtu(100)).hasMessageContaining("MTU");
    }
}
