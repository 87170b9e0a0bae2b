package org.mptcp4j.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.mptcp.ReceiveBufferPolicy;
import org.mptcp4j.sim.topo.PathSpec;

/**
 * The paper's qualitative claims (its section 5) and Linux's aggregation selftest, on short runs
 * of the experiments {@code ./mptcp4j sim} sweeps. The shared bottleneck has 0.1 % random loss, as
 * the coupled-congestion-control tests found necessary: on pure drop-tail the drops fall on the
 * regular TCP flow (whose window grows fastest) and MPTCP takes 1.2-1.5 times its share even with
 * LIA; RFC 6356 assumes every packet through a bottleneck sees the same loss.
 */
class PaperClaimsTest {
    private static final double BOTTLENECK_LOSS_PERCENT = 0.1;

    @Test
    void fig4_liaBesideOneTcpFlow_getsWithin20PercentOfIt() {
        long seed = 1;
        SharedBottleneckRun.Result r = SharedBottleneckRun.run(seed, "lia", 1, 2, BOTTLENECK_LOSS_PERCENT,
                Nanos.ofSeconds(60));

        assertThat(r.mptcpMbps() / r.tcpMeanMbps()).as("MPTCP / TCP, seed %d: %s", seed, r).isBetween(0.8, 1.2);
    }

    @Test
    void fig4_uncoupledRenoBesideOneTcpFlow_takesMoreThanIt() {
        long seed = 1;
        SharedBottleneckRun.Result r = SharedBottleneckRun.run(seed, "reno", 1, 2, BOTTLENECK_LOSS_PERCENT,
                Nanos.ofSeconds(30));

        assertThat(r.mptcpMbps() / r.tcpMeanMbps()).as("MPTCP / TCP, seed %d: %s", seed, r).isGreaterThan(1.5);
    }

    @Test
    void fig5_threeSubflows_liaStaysWithin20PercentOfTheTcpFlow_renoTakesAboutThreeFlows() {
        // LIA's share over seeds 1-3, the median: one 60 s run swings by about a tenth either way
        // (seeds 1-10 gave 0.95-1.23, mean 1.05, once data segments were kept full; 1.04-1.20
        // before), and the claim is about the usual share, not one run's.
        double[] liaRatios = new double[3];
        StringBuilder runs = new StringBuilder();
        for (int i = 0; i < liaRatios.length; i++) {
            long seed = i + 1;
            SharedBottleneckRun.Result lia = SharedBottleneckRun.run(seed, "lia", 1, 3, BOTTLENECK_LOSS_PERCENT,
                    Nanos.ofSeconds(60));
            liaRatios[i] = lia.mptcpMbps() / lia.tcpMeanMbps();
            runs.append("\n seed ").append(seed).append(": ").append(lia);
        }
        Arrays.sort(liaRatios);
        long seed = 2;
        SharedBottleneckRun.Result reno = SharedBottleneckRun.run(seed, "reno", 1, 3, BOTTLENECK_LOSS_PERCENT,
                Nanos.ofSeconds(30));

        assertThat(liaRatios[1]).as("LIA MPTCP / TCP, the median of seeds 1-3:%s", runs).isBetween(0.8, 1.2);
        assertThat(reno.mptcpMbps() / reno.tcpMeanMbps()).as("Reno MPTCP / TCP, seed %d: %s", seed, reno).isGreaterThan(2.5);
    }

    @Test
    void fig6_equalDelays_2MBReceiveBuffer_fillsBothPathsTo90Percent() {
        long seed = 1;
        PathSpec path = PathSpec.of(Fig6.PATH_BPS, Duration.ZERO);

        MultipathRun.Result r = MultipathRun.run(seed, path, path, true, "lia", "default", 2 << 20, true, ReceiveBufferPolicy.defaults(),
                Nanos.ofSeconds(6));

        assertThat(r.goodputMbps()).as("goodput over 2 x 100 Mbit/s, seed %d: %s", seed, r).isGreaterThanOrEqualTo(180);
        assertThat(r.pathBMbps()).as("the second path's share, seed %d: %s", seed, r).isGreaterThan(80);
    }

    @Test
    void aggregation_balancedPaths_bothDirections_endWithinTheSummedRatePlus10Percent() {
        long seed = 1;
        PathSpec ten = PathSpec.of(10 * SharedBottleneckRun.MBPS, Duration.ZERO).withQueue(QueueLimit.packets(1000));
        double limit = Aggregation.limitSeconds(10, 10);

        for (boolean upload : new boolean[] {true, false}) {
            MultipathRun.Transfer t = MultipathRun.transfer(seed, ten, ten, "cubic", "default", ReceiveBufferPolicy.defaults(),
                    Aggregation.SIZE_BYTES, upload, Nanos.ofSeconds(60));

            assertThat(t.bytes()).as("upload %s, seed %d", upload, seed).isEqualTo(Aggregation.SIZE_BYTES);
            assertThat(t.seconds()).as("upload %s, seed %d: limit %.2f s", upload, seed, limit).isLessThanOrEqualTo(limit);
        }
    }

    /**
     * simult_flows.sh's hardest cases, 30/10 Mbit/s with 1/50 and 50/1 ms, pass the script's own
     * check (the summed rate plus 10 %, plus the 450 ms it adds) once the sender resends the
     * window's left edge on the fast path and penalizes the slow one, as the paper's kernel did.
     * Since each subflow's buffer follows the connection's, the window no longer binds here and the
     * defaults pass too (4.06-4.11 s, the same with the remedies; before, a window stuck at 1 MiB
     * took the defaults to 4.22 s; docs/EVALUATION.md).
     */
    @Test
    void aggregation_unbalancedRatesAndDelays_withThePapersRemedies_endWithinTheScriptsLimit() {
        long seed = 1;
        double max = Aggregation.limitSeconds(30, 10) + Aggregation.SCRIPT_EXTRA_SECONDS;
        for (int[] delays : new int[][] {{1, 50}, {50, 1}}) {
            PathSpec a = PathSpec.of(30 * SharedBottleneckRun.MBPS, Duration.ofMillis(delays[0]))
                    .withQueue(QueueLimit.packets(1000));
            PathSpec b = PathSpec.of(10 * SharedBottleneckRun.MBPS, Duration.ofMillis(delays[1]))
                    .withQueue(QueueLimit.packets(1000));
            for (boolean upload : new boolean[] {true, false}) {
                MultipathRun.Transfer t = MultipathRun.transfer(seed, a, b, "cubic", "default", ReceiveBufferPolicy.paper(),
                        Aggregation.SIZE_BYTES, upload, Nanos.ofSeconds(60));

                assertThat(t.bytes()).as("delays %d/%d ms, upload %s, seed %d", delays[0], delays[1], upload, seed)
                        .isEqualTo(Aggregation.SIZE_BYTES);
                assertThat(t.seconds()).as("delays %d/%d ms, upload %s, seed %d: the script's max %.2f s", delays[0],
                        delays[1], upload, seed, max).isLessThanOrEqualTo(max);
            }
        }
    }

    /**
     * 30/10 Mbit/s with 1/50 ms, both directions, within the summed rate plus 10 % (the bar,
     * without the script's 450 ms) with upstream Linux's default scheduler, the experiment's: it
     * sends on the 100 ms path only while that path's queue drains before the fast one's, so CUBIC
     * never fills it (its round trip stays under 200 ms, where {@code default} lets it reach 0.7 s)
     * and no data is left there at the end (docs/EVALUATION.md: 3.69 and 3.69 s of 3.73; 4.11 and
     * 4.09 with {@code default}).
     */
    @Test
    void aggregation_unbalancedRatesWithTheSlowPathSlower_linuxsScheduler_endWithinTheSummedRatePlus10Percent() {
        long seed = 1;
        double limit = Aggregation.limitSeconds(30, 10);
        PathSpec a = PathSpec.of(30 * SharedBottleneckRun.MBPS, Duration.ofMillis(1)).withQueue(QueueLimit.packets(1000));
        PathSpec b = PathSpec.of(10 * SharedBottleneckRun.MBPS, Duration.ofMillis(50)).withQueue(QueueLimit.packets(1000));
        for (boolean upload : new boolean[] {true, false}) {
            MultipathRun.Transfer t = MultipathRun.transfer(seed, a, b, "cubic", "linger", ReceiveBufferPolicy.defaults(),
                    Aggregation.SIZE_BYTES, upload, Nanos.ofSeconds(60));

            assertThat(t.bytes()).as("upload %s, seed %d", upload, seed).isEqualTo(Aggregation.SIZE_BYTES);
            assertThat(t.seconds()).as("upload %s, seed %d: limit %.2f s", upload, seed, limit).isLessThanOrEqualTo(limit);
        }
    }

    /**
     * Unequal delays (1/50 ms), both directions, with ECF: its wait for the fast path keeps the
     * transfer's tail off the 100 ms path, whose queue CUBIC has filled to 0.7 s by then. 10/10
     * Mbit/s ends within the summed rate plus 10 % (the bar; 7.35 and 7.39 s of 7.46, where
     * the {@code default} scheduler takes 7.55 and 7.52), and 30/10 within the script's maximum
     * (4.03 s of 4.18). Until each subflow's buffer followed the connection's, a window stuck at
     * 1 MiB let penalization clamp the slow path, and ECF with penalization met the 30/10 case's
     * 3.73 s (docs/EVALUATION.md).
     */
    @Test
    void aggregation_unbalancedDelays_ecfKeepsTheTailOffTheSlowPath() {
        long seed = 1;
        for (int rateA : new int[] {10, 30}) {
            double limit = Aggregation.limitSeconds(rateA, 10) + (rateA == 10 ? 0 : Aggregation.SCRIPT_EXTRA_SECONDS);
            PathSpec a = PathSpec.of(rateA * SharedBottleneckRun.MBPS, Duration.ofMillis(1))
                    .withQueue(QueueLimit.packets(1000));
            PathSpec b = PathSpec.of(10 * SharedBottleneckRun.MBPS, Duration.ofMillis(50))
                    .withQueue(QueueLimit.packets(1000));
            for (boolean upload : new boolean[] {true, false}) {
                MultipathRun.Transfer t = MultipathRun.transfer(seed, a, b, "cubic", "ecf", ReceiveBufferPolicy.defaults(),
                        Aggregation.SIZE_BYTES, upload, Nanos.ofSeconds(60));

                assertThat(t.bytes()).as("%d/10 Mbit/s, upload %s, seed %d", rateA, upload, seed)
                        .isEqualTo(Aggregation.SIZE_BYTES);
                assertThat(t.seconds()).as("%d/10 Mbit/s, upload %s, seed %d: limit %.2f s", rateA, upload, seed, limit)
                        .isLessThanOrEqualTo(limit);
            }
        }
    }
}
