package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.PathSpec;

/**
 * MPTCP transfers over two and three paths with both ends sending at once: a client with one
 * address per path joins a subflow from each of its other addresses ({@code subflow} endpoints),
 * the congestion windows fill (random loss), so the scheduler needs every subflow, and both streams
 * arrive intact through 1500-byte links. Then the paper's Fig. 6 delays: path A 10 ms, path B
 * 0, 10, 100 or 500 ms.
 */
class MptcpTransferTest {
    private static final long BYTES = 6L << 20;
    private static final long RATE = 20_000_000;

    private static PathSpec path(long delayMs) {
        return PathSpec.of(RATE, Duration.ofMillis(delayMs));
    }

    static Stream<Arguments> networks() {
        LossModel loss1 = LossModel.bernoulli(0.01);
        return Stream.of(
                Arguments.of("2 paths, loss 1% both ways", 11L,
                        new PathSpec[] {path(10).withLoss(loss1).withReverseLoss(loss1),
                                path(20).withLoss(loss1).withReverseLoss(loss1)}),
                Arguments.of("2 paths, loss 2% on B, bursty loss on A", 12L,
                        new PathSpec[] {path(10).withLoss(new LossModel.GilbertElliott(0.005, 0.3, 0.0, 0.5)),
                                path(15).withLoss(LossModel.bernoulli(0.02)).withReverseLoss(loss1)}),
                Arguments.of("3 paths, loss 1% both ways", 13L,
                        new PathSpec[] {path(10).withLoss(loss1).withReverseLoss(loss1),
                                path(20).withLoss(loss1).withReverseLoss(loss1),
                                path(40).withLoss(loss1).withReverseLoss(loss1)}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void bothWaysAtOnceUnderLoss_streamsIntact_everySubflowCarriesData(String name, long seed, PathSpec[] paths) {
        MptcpScenario s = MptcpScenario.standard(seed, BYTES, paths);

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        assertThat(s.droppedLoss()).as("%s", s).isPositive();
        int joins = paths.length - 1;
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(paths.length);
        s.assertEverySubflowCarriedDataBothWays(paths.length);
        assertJoinCounters(s, joins);
    }

    @ParameterizedTest(name = "2 paths, reordering, seed {0}")
    @ValueSource(longs = {21, 22})
    void bothWaysAtOnceWithReordering_streamsIntact(long seed) {
        LossModel loss = LossModel.bernoulli(0.005);
        MptcpScenario s = MptcpScenario.standard(seed, BYTES,
                path(10).withLoss(loss).withReverseLoss(loss), path(30).withLoss(loss));
        s.bed.path(0).link().aToB().reconfigure(s.bed.path(0).link().aToB().spec()
                .withReordering(0.02, Duration.ofMillis(4)));
        s.bed.path(1).link().bToA().reconfigure(s.bed.path(1).link().bToA().spec()
                .withReordering(0.02, Duration.ofMillis(6)));

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        assertThat(s.bed.path(0).link().aToB().counters().reordered()).as("%s", s).isPositive();
        s.assertEverySubflowCarriedDataBothWays(2);
        assertJoinCounters(s, 1);
    }

    /**
     * The paper's Fig. 6: path A has a one-way delay of 10 ms, path B 0, 10, 100 or 500 ms. Both
     * paths fill (each a 20 Mbit/s bottleneck with some loss), so even the 1-second-RTT path
     * carries data once its cwnd is open, and nothing is lost to the delay mismatch (the
     * connection-level receive queue reorders what the fast path overtook).
     */
    @ParameterizedTest(name = "path B delay {0} ms")
    @ValueSource(longs = {0, 10, 100, 500})
    void asymmetricDelay_fig6_bothWaysIntact_bothSubflowsCarryData(long delayB) {
        long seed = 30 + delayB;
        LossModel loss = LossModel.bernoulli(0.002);
        // Long enough for path B's subflow to be joined (a 1 s RTT at 500 ms) and to open its window.
        MptcpScenario s = MptcpScenario.standard(seed, 8L << 20, path(10).withLoss(loss), path(delayB).withLoss(loss));

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        s.assertEverySubflowCarriedDataBothWays(2);
        assertJoinCounters(s, 1);
    }

    private static void assertJoinCounters(MptcpScenario s, int joins) {
        assertThat(s.clientMib().get(MibCounter.MPTCP_CAPABLE_SYNACK_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_CAPABLE_ACK_RX)).as("%s", s).isEqualTo(1);
        // Linux counts each MP_JOIN SYN sent, retransmissions included (a 1 s RTT outlasts the initial RTO).
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isGreaterThanOrEqualTo(joins);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_SYN_RX)).as("%s", s).isGreaterThanOrEqualTo(joins);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYNACK_RX)).as("%s", s).isGreaterThanOrEqualTo(joins);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(joins);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_HMAC_FAILURE)
                + s.clientMib().get(MibCounter.MPTCP_JOIN_SYNACK_HMAC_FAILURE)).as("%s", s).isZero();
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_NO_TOKEN_FOUND) + s.serverMib().get(MibCounter.MPTCP_JOIN_REJECTED))
                .as("%s", s).isZero();
    }
}
