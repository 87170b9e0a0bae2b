package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.SubflowRecreation;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * A subflow fails while the connection runs and is opened again ({@link SubflowRecreation}, off by
 * default as in Linux): a NAT on path B forgets the subflow's mapping and answers its next segment
 * with a RST (and every later one of that subflow). With recreation on, the client joins again from its B address after a second and
 * the new subflow carries data both ways; off, the connection carries on over path A alone. When
 * path B also stays down for a while, the attempts fail and back off (1, 2, 4 s ...) until it is
 * up again.
 */
class MptcpSubflowRecreationTest {
    private static PathSpec[] twoPaths() {
        LossModel loss = LossModel.bernoulli(0.002);
        return new PathSpec[] {PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(loss).withReverseLoss(loss),
                PathSpec.of(20_000_000, Duration.ofMillis(15)).withLoss(loss).withReverseLoss(loss)};
    }

    private static MptcpScenario scenario(long seed, long bytes, SubflowRecreation recreation) {
        StackConfig base = StackConfig.defaults().withSynRetries(2);
        return new MptcpScenario(seed, bytes, twoPaths(), bed -> base.withMptcp(base.mptcp()
                .withEndpoints(MptcpScenario.subflowEndpoints(bed)).withLimits(new Limits(1, 0))
                .withRecreation(recreation)), StackConfig.defaults());
    }

    /** The NAT's RSTs, once armed: to the client, in place of path B's subflow's segments from the next data on. */
    private static boolean[] natForgetsPathB(MptcpScenario s) {
        boolean[] armed = {false};
        s.clientTamper.forgetFlowTo(s.bed.path(1).clientAddress(), armed);
        return armed;
    }

    /** Data the client sent and received on subflows from path B's address whose names are not {@code before}'s. */
    private static long[] newSubflowDataOnPathB(MptcpScenario s, List<String> before) {
        long[] sum = {0, 0};
        String pathB = "/" + s.bed.path(1).clientAddress() + ":";
        s.subflowData.forEach((name, d) -> {
            if (name.startsWith(pathB) && !before.contains(name)) {
                sum[0] += d[0];
                sum[1] += d[1];
            }
        });
        return sum;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {61, 62})
    void natResetsPathB_recreationOn_joinsAgainAndCarriesDataBothWays(long seed) {
        long bytes = 16L << 20;
        MptcpScenario s = scenario(seed, bytes, SubflowRecreation.on());
        boolean[] nat = natForgetsPathB(s);
        assertThat(s.runUntilRead(bytes / 4, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        List<String> before = List.copyOf(s.subflowData.keySet());
        nat[0] = true;

        s.assertIntact(s.run(Nanos.ofSeconds(120)));

        assertThat(nat[0]).as("the NAT's RST went; %s", s).isFalse();
        assertThat(s.clientMib().get(MibCounter.MPTCP_SUBFLOW_RECREATE)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(2);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(2);
        long[] again = newSubflowDataOnPathB(s, before);
        assertThat(again[0]).as("sent on the new subflow; %s", s).isPositive();
        assertThat(again[1]).as("received on the new subflow; %s", s).isPositive();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {61})
    void natResetsPathB_recreationOff_asLinux_pathBStaysClosed(long seed) {
        long bytes = 16L << 20;
        MptcpScenario s = scenario(seed, bytes, SubflowRecreation.off());
        boolean[] nat = natForgetsPathB(s);
        assertThat(s.runUntilRead(bytes / 4, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        nat[0] = true;

        s.assertIntact(s.run(Nanos.ofSeconds(120)));

        assertThat(s.clientMib().get(MibCounter.MPTCP_SUBFLOW_RECREATE)).as("%s", s).isZero();
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {63})
    void pathBDownAfterTheReset_attemptsBackOff_untilItIsUpAgain(long seed) {
        long bytes = 80L << 20; // about 35 s over path A alone: the connection outlives the outage
        MptcpScenario s = scenario(seed, bytes, SubflowRecreation.on());
        boolean[] nat = natForgetsPathB(s);
        assertThat(s.runUntilRead(bytes / 8, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        List<String> before = List.copyOf(s.subflowData.keySet());
        long resets = s.clientMib().get(MibCounter.TCP_ESTAB_RESETS);
        nat[0] = true;
        assertThat(s.sim.runUntil(() -> s.clientMib().get(MibCounter.TCP_ESTAB_RESETS) > resets,
                s.sim.nowNanos() + Nanos.ofSeconds(5))).as("the client's subflow took a RST; %s", s).isTrue();
        long down = s.sim.nowNanos() + Nanos.ofMillis(1);
        s.bed.path(1).downAt(down);
        s.bed.path(1).upAt(down + Nanos.ofSeconds(20));

        s.assertIntact(s.run(Nanos.ofSeconds(300)));

        // Each attempt's SYN and its two retransmissions take 7 s to give up (synRetries 2): the
        // attempts 1 s, then 2 s and 4 s after the last failure, land at about 1, 10 and 21 s.
        long attempts = s.clientMib().get(MibCounter.MPTCP_SUBFLOW_RECREATE);
        assertThat(attempts).as("%s", s).isBetween(3L, 4L);
        assertThat(s.clientMib().get(MibCounter.TCP_ATTEMPT_FAILS)).as("%s", s).isEqualTo(attempts - 1);
        long[] again = newSubflowDataOnPathB(s, before);
        assertThat(again[0]).as("sent on the subflow opened once path B was up; %s", s).isPositive();
        assertThat(again[1]).as("received on it; %s", s).isPositive();
    }
}
