package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Rng;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;

class LossModelTest {
    private static final long SEED = 20_260_125;

    @Test
    void bernoulli_onLink_lossRateWithinFiveSigma() {
        int n = 200_000;
        double p = 0.02;
        TwoHosts net = new TwoHosts(SEED, LinkSpec.of(1_000_000_000L, Duration.ofMillis(1))
                .withLoss(LossModel.bernoulli(p)));
        net.send(net.source().payloadBytes(100).rateBps(500_000_000).count(n));

        net.sim.run();

        long lost = net.link.counters().droppedLoss();
        double sigma = Math.sqrt(n * p * (1 - p));
        assertThat((double) lost).as("seed %d", SEED).isCloseTo(n * p, within(5 * sigma));
        assertThat(net.sink.distinct()).isEqualTo(n - lost);
        assertThat(net.link.counters().packetsSent()).isEqualTo(n);
        assertThat(net.link.counters().droppedQueue()).isZero();
    }

    @Test
    void gilbertElliott_meanLossAndBurstLengthMatchTheChain() {
        // Bad one packet in 101 on average, bursts of 4 packets on average, no loss in Good.
        LossModel.GilbertElliott ge = LossModel.GilbertElliott.gilbert(0.0025, 0.25);
        LossModel.Process process = ge.newProcess(Rng.seeded(SEED));
        int n = 2_000_000;
        long lost = 0;
        long bursts = 0;
        boolean previousLost = false;
        for (int i = 0; i < n; i++) {
            boolean l = process.lose();
            if (l) {
                lost++;
                if (!previousLost) {
                    bursts++;
                }
            }
            previousLost = l;
        }
        double rate = lost / (double) n;
        assertThat(ge.meanLossRate()).isCloseTo(0.0025 / 0.2525, within(1e-12));
        assertThat(rate).as("seed %d", SEED).isCloseTo(ge.meanLossRate(), within(0.1 * ge.meanLossRate()));
        assertThat(lost / (double) bursts).as("seed %d", SEED).isCloseTo(4.0, within(0.3));
    }

    @Test
    void gilbertElliott_onLink_losesInBurstsUnlikeBernoulli() {
        int n = 100_000;
        LossModel ge = LossModel.GilbertElliott.gilbert(0.005, 0.2);
        TwoHosts bursty = new TwoHosts(SEED, LinkSpec.of(1_000_000_000L, 0).withLoss(ge));
        bursty.send(bursty.source().payloadBytes(100).rateBps(500_000_000).count(n));
        bursty.sim.run();

        long lost = bursty.link.counters().droppedLoss();
        assertThat((double) lost / n).as("seed %d", SEED).isCloseTo(ge.meanLossRate(), within(0.25 * ge.meanLossRate()));
        // Losses cluster: count runs of consecutive missing sequence numbers.
        long runs = 0;
        for (long s = 0; s < n; s++) {
            if (!bursty.sink.hasSeen(s) && (s == 0 || bursty.sink.hasSeen(s - 1))) {
                runs++;
            }
        }
        assertThat(lost / (double) runs).as("mean burst, seed %d", SEED).isBetween(4.0, 6.0);
    }

    @Test
    void gilbertElliott_rejectsAFrozenChain() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new LossModel.GilbertElliott(0, 0, 0, 1));
    }
}
