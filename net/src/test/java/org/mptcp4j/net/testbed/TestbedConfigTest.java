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
    void loss_isPercentToFourDecimals_comparedInPartsPerMillion() {
        assertThat(TestbedConfig.parseLoss("1")).isEqualTo(1.0);
        assertThat(TestbedConfig.parseLoss("0.5%")).isEqualTo(0.5);
        assertThat(TestbedConfig.lossThreshold(1)).isEqualTo(10_000);
        assertThat(TestbedConfig.lossThreshold(0.0125)).isEqualTo(125);
        assertThat(TestbedConfig.lossThreshold(100)).isEqualTo(TestbedConfig.LOSS_MODULUS);
        assertThat(TestbedConfig.formatLoss(1.0)).isEqualTo("1 %");
        assertThat(TestbedConfig.formatLoss(0.25)).isEqualTo("0.25 %");
        TestbedConfig lossy = TestbedConfig.defaults("ok").withLoss(5, 1).withOffload(false);
        assertThat(lossy.lossAPercent()).isEqualTo(5.0);
        assertThat(lossy.offload()).isFalse();
        assertThat(TestbedConfig.defaults("ok").offload()).isTrue();
    }

    @Test
    void badInput_isRefusedWithTheReason() {
        assertThatThrownBy(() -> TestbedConfig.parseRate("fast")).hasMessageContaining("not a rate");
        assertThatThrownBy(() -> TestbedConfig.defaults("Bad/Id")).hasMessageContaining("testbed id");
        assertThatThrownBy(() -> TestbedConfig.defaults("ok").withQdisc("netem")).hasMessageContaining("tbf or htb");
        assertThatThrownBy(() -> TestbedConfig.defaults("ok").withMtu(100)).hasMessageContaining("MTU");
        assertThatThrownBy(() -> TestbedConfig.parseLoss("lots")).hasMessageContaining("not a loss");
        assertThatThrownBy(() -> TestbedConfig.parseLoss("101")).hasMessageContaining("0..100");
        assertThatThrownBy(() -> TestbedConfig.parseLoss("0.00001")).hasMessageContaining("4 decimals");
    }
}
