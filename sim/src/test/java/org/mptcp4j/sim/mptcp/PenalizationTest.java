package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.ReceiveBufferPolicy;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * The receive-window-limited case the paper's kernel answered with opportunistic retransmission
 * and penalization: a fast path (50 Mbit/s, 5 ms one way) and a slow one (5 Mbit/s, 50 ms),
 * a fixed 256 KiB receive buffer at both ends (smaller than the 2 x sum(BW) x RTT_max of about
 * 1.2 MB the paths need), 0.2 % random loss on both, 4 MiB each way at once. Without the remedies
 * the data the slow path carries holds the window's left edge, the receiver's buffer fills with
 * what the fast path sent after it, and the fast path waits. With them the fast subflow sends
 * that data again and the slow one's window is halved.
 */
class PenalizationTest {
    private static final long BYTES = 4L << 20;
    private static final int BUFFER = 256 << 10;

    private static MptcpScenario scenario(long seed, ReceiveBufferPolicy policy) {
        LossModel loss = LossModel.bernoulli(0.002);
        PathSpec fast = PathSpec.of(50_000_000L, Duration.ofMillis(5)).withQueue(QueueLimit.packets(100)).withLoss(loss);
        PathSpec slow = PathSpec.of(5_000_000L, Duration.ofMillis(50)).withQueue(QueueLimit.packets(100)).withLoss(loss);
        StackConfig base = StackConfig.defaults().withReceiveBufferBytes(BUFFER).withReceiveBufferMaxBytes(BUFFER);
        StackConfig withPolicy = base.withMptcp(base.mptcp().withReceiveBuffer(policy));
        return new MptcpScenario(seed, BYTES, new PathSpec[] {fast, slow},
                bed -> withPolicy.withMptcp(withPolicy.mptcp().withEndpoints(MptcpScenario.subflowEndpoints(bed))
                        .withLimits(new Limits(1, 0))),
                withPolicy);
    }

    @Test
    void receiveWindowLimited_penalizationAndOpportunisticRetransmission_finishSooner_bothWaysIntact() {
        // Seeds 1-8: 13.46 s without, 10.39 s with (23 % less in all; per seed 17-31 %). Per seed
        // the gain swings with where the losses fall. Before the receivers moved their window's
        // right edge by an MSS rather than by 64 KB (receiver-side SWS avoidance as RFC 9293 has
        // it), the case without the remedies took 16.81 s and the remedies gained 36 %: a window
        // that opens in smaller steps lets the fast path send sooner by itself.
        double withTotal = 0;
        double withoutTotal = 0;
        for (long seed = 1; seed <= 8; seed++) {
            MptcpScenario without = scenario(seed, ReceiveBufferPolicy.defaults());
            without.assertIntact(without.run(Nanos.ofSeconds(120)));
            double withoutSeconds = Nanos.toSeconds(without.sim.nowNanos());

            MptcpScenario with = scenario(seed, ReceiveBufferPolicy.paper());
            with.assertIntact(with.run(Nanos.ofSeconds(120)));
            double withSeconds = Nanos.toSeconds(with.sim.nowNanos());

            assertThat(withSeconds).as("seed %d: %.2f s with, %.2f s without; %s", seed, withSeconds, withoutSeconds,
                    with).isLessThan(withoutSeconds);
            withTotal += withSeconds;
            withoutTotal += withoutSeconds;
            assertThat(with.clientMib().get(MibCounter.MPTCP_OPPORTUNISTIC_RETRANS)).as("seed %d", seed).isPositive();
            assertThat(with.clientMib().get(MibCounter.MPTCP_PENALIZED)).as("seed %d", seed).isPositive();
            assertThat(without.clientMib().get(MibCounter.MPTCP_OPPORTUNISTIC_RETRANS)).as("seed %d", seed).isZero();
            assertThat(without.clientMib().get(MibCounter.MPTCP_PENALIZED)).as("seed %d", seed).isZero();
        }
        assertThat(withTotal).as("seeds 1-8: %.2f s with, %.2f s without", withTotal, withoutTotal)
                .isLessThan(0.85 * withoutTotal);
    }
}
