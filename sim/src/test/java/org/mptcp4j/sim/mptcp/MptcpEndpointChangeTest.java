package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;
import org.junit.jupiter.api.Test;

/**
 * Endpoints changed while a connection runs, as {@code ip mptcp endpoint add / delete / change}
 * change them on Linux: the client of a two-path {@link MptcpScenario}, both ends sending at once
 * under 1 % loss, adds a {@code subflow} endpoint (and joins from it), deletes it (REMOVE_ADDR, RFC
 * 8684 section 3.4.2; its subflow closes and its data goes again on the other), or marks it backup
 * and back (MP_PRIO, section 3.3.8: both ends stop sending on it while the other path works, then
 * use it again). Nothing is lost either way.
 */
class MptcpEndpointChangeTest {
    private static final long BYTES = 12L << 20;
    private static final long RATE = 20_000_000;
    private static final LossModel LOSS = LossModel.bernoulli(0.01);

    private static PathSpec path(long delayMs) {
        return PathSpec.of(RATE, Duration.ofMillis(delayMs)).withLoss(LOSS).withReverseLoss(LOSS);
    }

    /** Runs {@code action} on the client's stack at {@code atNanos}, then lets the stack send what it queued. */
    private static void onClientAt(MptcpScenario s, long atNanos, ClientAction action) {
        s.sim.schedule(atNanos, (now, arg) -> {
            action.run(now);
            s.clientEnd.service(now);
        }, null);
    }

    @FunctionalInterface
    private interface ClientAction {
        void run(long nowNanos);
    }

    private static MptcpInfo.SubflowInfo subflowFrom(MptcpInfo info, int localId) {
        return info.subflows().stream().filter(f -> f.localId() == localId).findFirst().orElseThrow();
    }

    @Test
    void endpointAddedWhileRunning_clientJoinsFromIt_bothSubflowsCarryData() {
        // The client starts with no endpoint (one subflow), and the subflow limit allows one join.
        MptcpScenario s = new MptcpScenario(31, BYTES, new PathSpec[] {path(10), path(20)},
                bed -> StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(1, 0))),
                StackConfig.defaults());
        Endpoint b = Endpoint.of(MptcpScenario.address(s.bed.path(1).clientAddress()), 1, Endpoint.Flag.SUBFLOW);
        onClientAt(s, Nanos.ofMillis(500), now -> s.clientEnd.stack().addEndpoint(now, b));

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(2);
        s.assertEverySubflowCarriedDataBothWays(2);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.clientEnd.stack().endpoints()).as("%s", s).containsExactly(b);
    }

    @Test
    void endpointAddedDuringTheHandshake_isJoinedFromOnceEstablished() {
        MptcpScenario s = new MptcpScenario(34, BYTES, new PathSpec[] {path(10), path(20)},
                bed -> StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(1, 0))),
                StackConfig.defaults());
        Endpoint b = Endpoint.of(MptcpScenario.address(s.bed.path(1).clientAddress()), 1, Endpoint.Flag.SUBFLOW);
        // 1 ms in, the MP_CAPABLE SYN is still on its way (the round trip is 20 ms).
        onClientAt(s, Nanos.ofMillis(1), now -> s.clientEnd.stack().addEndpoint(now, b));

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(2);
        s.assertEverySubflowCarriedDataBothWays(2);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
    }

    @Test
    void endpointDeletedWhileRunning_removeAddrSent_subflowClosed_nothingLost() {
        MptcpScenario s = MptcpScenario.standard(32, BYTES, path(10), path(20));
        long[] removedAt = new long[1];
        onClientAt(s, Nanos.ofSeconds(1), now -> {
            assertThat(s.clientInfo().subflows()).as("both subflows up before the delete; %s", s).hasSize(2);
            removedAt[0] = now;
            s.clientEnd.stack().removeEndpoint(now, 1);
        });
        assertThat(s.sim.runUntil(() -> removedAt[0] > 0, Nanos.ofSeconds(2))).as("%s", s).isTrue();
        // REMOVE_ADDR goes at once on a pure ACK of the remaining subflow, data flowing both ways or
        // not (Linux mptcp_pm_send_ack): the server has it one path delay later, 10 ms plus queue.
        assertThat(s.sim.runUntil(() -> s.serverMib().get(MibCounter.MPTCP_RM_ADDR) == 1, removedAt[0] + Nanos.ofMillis(100)))
                .as("the server got the REMOVE_ADDR within 100 ms; %s", s).isTrue();

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        assertThat(removedAt[0]).as("%s", s).isPositive();
        assertThat(s.clientEnd.stack().endpoints()).as("%s", s).isEmpty();
        assertThat(s.clientMib().get(MibCounter.MPTCP_RM_ADDR_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_RM_SUBFLOW)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_RM_ADDR)).as("%s", s).isEqualTo(1);
        // The subflow from the deleted address carried data before the delete, the other all the rest.
        s.assertEverySubflowCarriedDataBothWays(2);
        assertThat(s.serverInfo() == null || s.serverInfo().subflows().size() <= 1).as("%s", s).isTrue();
    }

    @Test
    void endpointMarkedBackupThenNot_mpPrioBothWays_trafficLeavesAndReturns() {
        MptcpScenario s = MptcpScenario.standard(33, 24L << 20, path(10), path(10));
        long[][] atBackup = new long[1][];
        long[][] atPrimary = new long[1][];
        onClientAt(s, Nanos.ofSeconds(1), now -> {
            MptcpInfo.SubflowInfo f = subflowFrom(s.clientInfo(), 1);
            atBackup[0] = new long[] {f.dataBytesSent(), f.dataBytesReceived()};
            s.clientEnd.stack().setEndpointBackup(now, 1, true);
        });
        onClientAt(s, Nanos.ofSeconds(3), now -> {
            MptcpInfo.SubflowInfo f = subflowFrom(s.clientInfo(), 1);
            atPrimary[0] = new long[] {f.dataBytesSent(), f.dataBytesReceived()};
            assertThat(f.backup()).as("%s", s).isTrue();
            s.clientEnd.stack().setEndpointBackup(now, 1, false);
        });

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        assertThat(atBackup[0][0]).as("data on the subflow before it became backup; %s", s).isPositive();
        // While backup (1 s to 3 s), neither end put new data on it, but for what was scheduled
        // before the MP_PRIO arrived (a window's worth) and retransmissions of older data.
        long window = 2L << 20;
        assertThat(atPrimary[0][0] - atBackup[0][0]).as("client sent on the backup; %s", s).isLessThan(window);
        assertThat(atPrimary[0][1] - atBackup[0][1]).as("server sent on the backup; %s", s).isLessThan(window);
        // And used again after: the transfer's end is on both subflows.
        long[] end = s.subflowData.entrySet().stream().filter(e -> e.getKey().contains(s.bed.path(1).clientAddress()))
                .map(java.util.Map.Entry::getValue).findFirst().orElseThrow();
        assertThat(end[0] - atPrimary[0][0]).as("client sent after nobackup; %s", s).isGreaterThan(window);
        assertThat(end[1] - atPrimary[0][1]).as("server sent after nobackup; %s", s).isGreaterThan(window);
        // Each change goes on a pure ACK at once and on up to two more of the subflow's pure ACKs.
        assertThat(s.clientMib().get(MibCounter.MPTCP_MP_PRIO_TX)).as("%s", s).isBetween(2L, 6L);
        assertThat(s.serverMib().get(MibCounter.MPTCP_MP_PRIO_RX)).as("%s", s).isBetween(2L, 6L);
        assertThat(s.clientEnd.stack().endpoints()).extracting(e -> e.has(Endpoint.Flag.BACKUP)).containsExactly(false);
        assertThat(List.of(s.clientEnd.stack().endpoints().get(0).id())).containsExactly(1);
    }
}
