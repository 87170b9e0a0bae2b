package org.mptcp4j.mptcp.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** ECF's count of the fast subflow's rounds (its {@code n - 1}). */
class EcfTest {
    private static final double MSS = 1448;

    @Test
    void outOfSlowStart_roundsAreThePapers_kOverCwnd() {
        double cwnd = 40 * MSS;
        assertThat(Ecf.fastRounds(400 * MSS, cwnd, cwnd, 1 << 20)).isCloseTo(10.0, within(1e-9));
        assertThat(Ecf.fastRounds(20 * MSS, cwnd, cwnd, 1 << 20)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void inSlowStart_windowDoublesEachRound_upToThePeersWindow() {
        double cwnd = 10 * MSS;
        double window = 128 << 10;
        // 10 + 20 + 40 + 80 segments in four rounds (217 200 bytes), then the rest at the 128 KiB ceiling.
        double rounds = Ecf.fastRounds(304_542, cwnd, Long.MAX_VALUE, window);
        assertThat(rounds).isCloseTo(4 + (304_542 - 150 * MSS) / window, within(1e-9));
        // The paper's count for the same: 21.
        assertThat(304_542 / cwnd).isGreaterThan(21);
    }

    @Test
    void inSlowStart_ssthreshIsTheCeiling_andLessThanAWindowIsAFractionOfARound() {
        double cwnd = 10 * MSS;
        assertThat(Ecf.fastRounds(70 * MSS, cwnd, 20 * MSS, 1 << 20)).isCloseTo(1 + 60.0 / 20, within(1e-9));
        assertThat(Ecf.fastRounds(5 * MSS, cwnd, Long.MAX_VALUE, 1 << 20)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void noPeerWindow_noGrowthCounted() {
        double cwnd = 10 * MSS;
        assertThat(Ecf.fastRounds(30 * MSS, cwnd, Long.MAX_VALUE, 0)).isCloseTo(3.0, within(1e-9));
    }
}
