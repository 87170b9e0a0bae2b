package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.stack.StackConfig;

/**
 * RFC 6356 section 2's goals for coupled congestion control, in the simulator, for LIA, OLIA and
 * BALIA, with uncoupled Reno subflows to show what coupling changes:
 * <ol>
 *   <li>Goal 2, "do no harm": two subflows through one bottleneck take about what a regular TCP
 *       flow beside them takes;
 *   <li>Goal 1, "improve throughput": over disjoint paths, at least what a TCP flow would get on
 *       the best of them;
 *   <li>Goal 3, "balance congestion": traffic moves off the more congested (lossier) path.
 * </ol>
 * Every sender is a bulk transfer; the regular TCP flows run Reno, as in the paper's Fig. 4.
 * Throughput is measured over 100 simulated seconds after 10 s of warm-up (50 s on the lossy paths,
 * where losses come often). Each reference run (TCP on the best path, uncoupled subflows on the
 * lossy paths) runs once per class.
 */
class CoupledCongestionControlTest {
    private static final long MBPS = 1_000_000;
    private static final long WARMUP = Nanos.ofSeconds(10);
    private static final long MEASURE = Nanos.ofSeconds(100);
    private static final StackConfig RENO = StackConfig.defaults().withCongestionControl("reno");
    private static final LinkSpec FAST_10MS = LinkSpec.of(1000 * MBPS, Duration.ofMillis(10));

    /**
     * The shared bottleneck: 20 Mbit/s, a drop-tail queue of 100 packets (about three times the
     * bandwidth-delay product) and 0.1 % random loss. Without the random loss, drop-tail drops
     * land on whichever flow probes when the queue is full; the regular TCP flow, whose window
     * grows fastest, then saw about twice the loss rate of the subflows (0.32 % against 0.17 %)
     * and MPTCP got 1.4 to 1.5 times its share even with LIA, while two regular TCP flows split the
     * link evenly. RFC 6356's design assumes every packet through a bottleneck sees the same loss
     * probability; a little random loss, as any real path has, restores that.
     */
    private static CoupledTopology sharedBottleneck(long seed, String userCc) {
        LinkSpec neck = LinkSpec.of(20 * MBPS, Duration.ZERO).withQueue(QueueLimit.packets(100))
                .withLoss(LossModel.bernoulli(0.001));
        return new CoupledTopology(seed, neck, FAST_10MS, FAST_10MS)
                .user(StackConfig.defaults().withCongestionControl(userCc)).tcp(0, RENO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lia", "olia", "balia"})
    void sharedBottleneck_coupledUserBesideOneTcp_getsWithin20PercentOfTheTcpFlow(String cc) {
        CoupledTopology t = sharedBottleneck(11, cc);

        t.run(WARMUP, MEASURE);

        double ratio = t.goodputBps(0) / t.goodputBps(1);
        assertThat(ratio).as("%s: MPTCP / TCP; %s", cc, t).isBetween(0.8, 1.2);
    }

    @Test
    void sharedBottleneck_uncoupledRenoSubflows_takeAboutTwiceTheTcpFlow() {
        CoupledTopology t = sharedBottleneck(11, "reno");

        t.run(WARMUP, MEASURE);

        double ratio = t.goodputBps(0) / t.goodputBps(1);
        assertThat(ratio).as("MPTCP / TCP; %s", t).isGreaterThan(1.6);
    }

    /**
     * Two disjoint paths of 20 and 10 Mbit/s (10 ms one way, queues of about one bandwidth-delay
     * product), each shared with a regular TCP flow. The reference is the same network with the
     * user running one regular TCP flow over the better path.
     */
    private static CoupledTopology disjoint(long seed, StackConfig user) {
        return new CoupledTopology(seed, null, disjointPath(20), disjointPath(10)).user(user).tcp(0, RENO).tcp(1, RENO);
    }

    private static LinkSpec disjointPath(long mbps) {
        return LinkSpec.of(mbps * MBPS, Duration.ofMillis(10)).withQueue(QueueLimit.packets(mbps * MBPS / 8 / 50 / 1500));
    }

    /** The reference of the disjoint-path tests, run once: the user's single TCP flow on the better path. */
    private static final class BestPathTcp {
        static final long SEED = 12;
        static final CoupledTopology RUN = disjoint(SEED, RENO.withMptcpEnabled(false));
        static final double GOODPUT_BPS;

        static {
            RUN.run(WARMUP, MEASURE);
            GOODPUT_BPS = RUN.goodputBps(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lia", "olia", "balia"})
    void disjointPaths_coupledUser_getsAtLeastWhatTcpGetsOnTheBestPath(String cc) {
        CoupledTopology multi = disjoint(BestPathTcp.SEED, StackConfig.defaults().withCongestionControl(cc));

        multi.run(WARMUP, MEASURE);

        assertThat(multi.goodputBps(0)).as("%s: MPTCP over both paths; %s%nTCP over the best path: %s", cc, multi,
                BestPathTcp.RUN).isGreaterThanOrEqualTo(BestPathTcp.GOODPUT_BPS);
        assertThat(multi.pathBytes(1)).as("the second path carries part of it; %s", multi).isPositive();
    }

    /**
     * Two paths of 100 Mbit/s with 10 ms one way that no window fills, one losing 0.1 % of its
     * packets and the other 1 %. Uncoupled Reno subflows split as regular TCP would (a window
     * goes as 1 / sqrt(p): about a quarter on the lossy path); coupled ones move traffic off it
     * (LIA's windows go as 1 / p: under a tenth). Measured over 50 s.
     */
    private static double lossyPathShare(long seed, String cc) {
        CoupledTopology t = new CoupledTopology(seed, null,
                LinkSpec.of(100 * MBPS, Duration.ofMillis(10)).withLoss(LossModel.bernoulli(0.001)),
                LinkSpec.of(100 * MBPS, Duration.ofMillis(10)).withLoss(LossModel.bernoulli(0.01)))
                .user(StackConfig.defaults().withCongestionControl(cc));
        t.run(WARMUP, Nanos.ofSeconds(50));
        return t.pathBytes(1) / (double) (t.pathBytes(0) + t.pathBytes(1));
    }

    private static final long LOSSY_SEED = 13;

    /** The reference of the lossy-path tests, run once: uncoupled Reno subflows. */
    private static final class UncoupledShare {
        static final double VALUE = lossyPathShare(LOSSY_SEED, "reno");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lia", "olia", "balia"})
    void lossierPath_coupledUser_movesTrafficOffIt(String cc) {
        long seed = LOSSY_SEED;
        double uncoupled = UncoupledShare.VALUE;

        double coupled = lossyPathShare(seed, cc);

        assertThat(uncoupled).as("reno's share on the lossy path, seed %d", seed).isBetween(0.18, 0.3);
        assertThat(coupled).as("%s's share on the lossy path (reno's %.3f), seed %d", cc, uncoupled, seed)
                .isLessThan(0.13).isLessThan(uncoupled / 2);
    }
}
