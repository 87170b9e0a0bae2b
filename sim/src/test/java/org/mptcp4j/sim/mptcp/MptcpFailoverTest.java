package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.stack.StackConfig;

/**
 * A subflow dies in the middle of a transfer in both directions: its path is cut, or a RST for its
 * 4-tuple reaches the client. The data the dead subflow had taken but the peer had not DATA_ACKed
 * is sent again on the other subflow (reinjection, RFC 8684 section 3.3.6; Linux counts
 * MPTcpExtMPTCPRetrans), and both streams still arrive whole.
 */
class MptcpFailoverTest {
    private static final long BYTES = 6L << 20;

    private static PathSpec[] twoPaths() {
        LossModel loss = LossModel.bernoulli(0.002);
        return new PathSpec[] {PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(loss),
                PathSpec.of(20_000_000, Duration.ofMillis(15)).withLoss(loss)};
    }

    /**
     * Path {@code index} goes down for good once a third of each stream has arrived (both subflows
     * carrying data by then): everything queued on it and on its wire is lost, and its subflow
     * retransmits into the void. Index 0 is the initial (MP_CAPABLE) subflow's path, index 1 the
     * joined one's. The connection-level retransmission timer (Linux mptcp_retransmit_timer) fires
     * after a subflow RTO without a DATA_ACK, and the dead subflow's data goes again on the other.
     * Without that timer the dead subflow's data waited for its TCP to give up, and the transfer
     * ended some 10 minutes after the cut. Over ten seeds (each path cut in five) nothing is lost,
     * everything each end had sent at the cut is DATA_ACKed within 2 s at the median (0.35 to 2.6 s,
     * the subflows' RTOs being some 0.2 s and 0.6 to 0.9 s with their queues full), and within 4 s
     * in all. Seed 41 used to stall for 8 s on a closed window: the first timeout had queued the
     * live subflow's data for reinjection, which only the dead subflow could take, and that queue
     * kept the dead subflow's own data from being reinjected until it went stale; each timeout now
     * decides the reinjection again.
     */
    @Test
    void pathCutMidTransfer_dataGoesOnTheOtherSubflow_nothingLost() {
        List<Double> failover = new ArrayList<>();
        for (long seed = 40; seed < 50; seed++) {
            int index = (int) (seed % 2);
            MptcpScenario s = MptcpScenario.standard(seed, BYTES, twoPaths());
            assertThat(s.runUntilRead(BYTES / 3, Nanos.ofSeconds(60))).as("%s", s).isTrue();
            assertThat(s.clientInfo().subflows()).as("%s", s).hasSize(2);
            s.subflowData.forEach((name, d) -> assertThat(d[0] + d[1]).as("before the cut, %s; %s", name, s).isPositive());

            long cut = s.sim.nowNanos();
            s.bed.path(index).downAt(cut);
            long clientSent = s.clientInfo().bytesSent();
            long serverSent = s.serverInfo().bytesSent();
            boolean failedOver = s.sim.runUntil(() -> s.clientInfo().bytesAcked() >= clientSent
                    && s.serverInfo().bytesAcked() >= serverSent, cut + Nanos.ofSeconds(4));
            long failoverNanos = s.sim.nowNanos() - cut;
            boolean done = s.run(Nanos.ofSeconds(60));

            System.out.printf("seed %d, path %d cut: all data sent at the cut DATA_ACKed %.3f s later, transfer over %.3f s after the cut%n",
                    seed, index, Nanos.toSeconds(failoverNanos), Nanos.toSeconds(s.sim.nowNanos() - cut));
            assertThat(failedOver).as("everything sent before the cut DATA_ACKed within 4 s; %s", s).isTrue();
            failover.add(Nanos.toSeconds(failoverNanos));
            s.assertIntact(done);
            assertThat(s.bed.path(index).link().aToB().counters().droppedDown()
                    + s.bed.path(index).link().bToA().counters().droppedDown()).as("%s", s).isPositive();
            assertThat(s.clientMib().get(MibCounter.MPTCP_RETRANS) + s.serverMib().get(MibCounter.MPTCP_RETRANS))
                    .as("reinjected; %s", s).isPositive();
            assertThat(s.client.failure()).as("%s", s).isNull();
            assertThat(s.server.failure()).as("%s", s).isNull();
        }
        Collections.sort(failover);
        assertThat((failover.get(4) + failover.get(5)) / 2).as("median failover over seeds 40-49: %s", failover)
                .isLessThanOrEqualTo(2.0);
    }

    /**
     * Path B goes down in the middle of a longer transfer and comes back once its subflow is
     * stale at both ends: the first segment through again makes it fresh (MPTcpExtSubflowRecover),
     * it carries data again, and the copies of data already DATA_ACKed through path A that its
     * retransmissions bring are dropped by the receiver (MPTcpExtDuplicateData).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {45})
    void pathDownThenUp_staleSubflowRecoversAndCarriesDataAgain(long seed) {
        long bytes = 4 * BYTES;
        // 1 MiB send buffers keep both applications writing when path B returns, so both ends have
        // new data for it (with more buffered, an end may have nothing left to send on it).
        MptcpScenario s = MptcpScenario.standard(seed, bytes, StackConfig.defaults().withSendBufferBytes(1 << 20),
                twoPaths());
        assertThat(s.runUntilRead(bytes / 8, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(s.clientInfo().subflows()).as("%s", s).hasSize(2);
        s.bed.path(1).downAt(s.sim.nowNanos());
        assertThat(s.sim.runUntil(() -> s.clientMib().get(MibCounter.MPTCP_SUBFLOW_STALE) > 0
                && s.serverMib().get(MibCounter.MPTCP_SUBFLOW_STALE) > 0, s.sim.nowNanos() + Nanos.ofSeconds(10)))
                .as("%s", s).isTrue();
        long[] before = MptcpSchedulerTest.dataSentOnPath(s, 1);

        s.bed.path(1).upAt(s.sim.nowNanos());
        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(s.clientMib().get(MibCounter.MPTCP_SUBFLOW_RECOVER)).as("%s", s).isPositive();
        assertThat(s.serverMib().get(MibCounter.MPTCP_SUBFLOW_RECOVER)).as("%s", s).isPositive();
        long[] after = MptcpSchedulerTest.dataSentOnPath(s, 1);
        assertThat(after[0]).as("path B carried data again; %s", s).isGreaterThan(before[0]);
        assertThat(after[1]).as("path B carried data again; %s", s).isGreaterThan(before[1]);
        assertThat(s.clientMib().get(MibCounter.MPTCP_DUPLICATE_DATA) + s.serverMib().get(MibCounter.MPTCP_DUPLICATE_DATA))
                .as("%s", s).isPositive();
        assertThat(s.client.failure()).as("%s", s).isNull();
        assertThat(s.server.failure()).as("%s", s).isNull();
    }

    /**
     * Once a third of each stream has arrived, the next segment the server sends on the joined
     * subflow (path B) is replaced in flight by a RST with the same sequence number (so exactly
     * the one RFC 5961 lets through): the client's subflow is reset, its data not yet DATA_ACKed
     * is reinjected, and the connection carries on over path A. (The server's end of that subflow
     * is left to the client's answer to its next segment, a RST for a tuple it no longer knows.)
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {50, 51})
    void subflowResetMidTransfer_transferCompletesOnTheOtherSubflow(long seed) {
        MptcpScenario s = MptcpScenario.standard(seed, BYTES, twoPaths());
        String pathB = s.bed.path(1).clientAddress();
        boolean[] armed = {false};
        int[] resets = {0};
        s.clientTamper.resetNextDataSegmentTo(pathB, armed, resets);
        assertThat(s.runUntilRead(BYTES / 3, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(s.clientInfo().subflows()).as("%s", s).hasSize(2);
        long estabResets = s.clientMib().get(MibCounter.TCP_ESTAB_RESETS);
        armed[0] = true;

        boolean done = s.run(Nanos.ofSeconds(600));

        s.assertIntact(done);
        assertThat(resets[0]).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.TCP_ESTAB_RESETS)).as("the client's subflow took the RST; %s", s)
                .isGreaterThan(estabResets);
        assertThat(s.clientMib().get(MibCounter.MPTCP_RETRANS) + s.serverMib().get(MibCounter.MPTCP_RETRANS))
                .as("reinjected; %s", s).isPositive();
        assertThat(s.client.failure()).as("%s", s).isNull();
        assertThat(s.server.failure()).as("%s", s).isNull();
    }

    /**
     * The client's application aborts in the middle of the transfer: every subflow leaves with a
     * RST carrying MP_FASTCLOSE (RFC 8684 section 3.5), and the server's application learns of the
     * reset at once. With the client's data still in flight those RSTs are not at the server's
     * RCV.NXT, so RFC 5961 turns them into challenge ACKs, and the client's answers to those (plain
     * RSTs, the connection being gone) reset the server's subflows.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {55})
    void abortMidTransfer_peerIsReset(long seed) {
        MptcpScenario s = MptcpScenario.standard(seed, BYTES, twoPaths());
        assertThat(s.runUntilRead(BYTES / 3, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(s.clientInfo().subflows()).as("%s", s).hasSize(2);

        s.clientEnd.stack().abort(s.sim.nowNanos(), s.client.conn());
        s.clientEnd.service(s.sim.nowNanos());
        boolean reset = s.sim.runUntil(() -> s.server.failure() != null, s.sim.nowNanos() + Nanos.ofSeconds(1));

        assertThat(reset).as("%s", s).isTrue();
        assertThat(s.server.failure()).as("%s", s).isEqualTo(ResetReason.RESET_BY_PEER);
        assertThat(s.clientMib().get(MibCounter.MPTCP_FASTCLOSE_TX)).as("one per subflow; %s", s).isEqualTo(2);
        s.sim.runFor(Nanos.ofSeconds(1));
        assertThat(s.serverEnd.stack().subflowCount()).as("no subflow left at the server; %s", s).isZero();
    }

    /**
     * The server aborts once its whole stream has reached the client (the client still sending):
     * nothing of the server's is in flight, so its RSTs arrive exactly at the client's RCV.NXT and
     * the client acts on their MP_FASTCLOSE (MPTcpExtMPFastcloseRx).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {56})
    void abortWithNothingInFlight_peerActsOnFastclose(long seed) {
        // A 256 KiB send buffer keeps the client's application writing when the server aborts: one
        // that had written and closed everything would not be told of the reset.
        MptcpScenario s = MptcpScenario.standard(seed, BYTES, StackConfig.defaults().withSendBufferBytes(256 << 10),
                twoPaths());
        assertThat(s.sim.runUntil(() -> s.client.bytesRead() == BYTES, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(s.server.bytesRead()).as("the client is still sending; %s", s).isLessThan(BYTES);
        assertThat(s.client.bytesWritten()).as("the client's application is still writing; %s", s).isLessThan(BYTES);

        s.serverEnd.stack().abort(s.sim.nowNanos(), s.server.conn());
        s.serverEnd.service(s.sim.nowNanos());
        boolean reset = s.sim.runUntil(() -> s.client.failure() != null, s.sim.nowNanos() + Nanos.ofSeconds(1));

        assertThat(reset).as("%s", s).isTrue();
        assertThat(s.client.failure()).as("%s", s).isEqualTo(ResetReason.RESET_BY_PEER);
        assertThat(s.serverMib().get(MibCounter.MPTCP_FASTCLOSE_TX)).as("one per subflow; %s", s).isEqualTo(2);
        assertThat(s.clientMib().get(MibCounter.MPTCP_FASTCLOSE_RX)).as("%s", s).isPositive();
        s.sim.runFor(Nanos.ofSeconds(1));
        assertThat(s.clientEnd.stack().subflowCount()).as("no subflow left at the client; %s", s).isZero();
    }
}
