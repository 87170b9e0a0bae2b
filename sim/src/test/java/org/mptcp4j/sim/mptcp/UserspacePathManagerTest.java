package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.mptcp.PmCommand;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.EventHandler;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * A user-space path manager (Linux {@code net.mptcp.path_manager=userspace}, driven as mptcpd
 * drives it over netlink): a program on one host polls the stack's {@link PmEvent}s and answers
 * them with {@link PmCommand}s, while both ends send at once under 1 % loss. Each host sees its
 * connection's life in order, and each command does what it says on the wire: a subflow created
 * joins, set priority sends MP_PRIO and the peer reports it, a destroyed subflow closes with
 * nothing lost, an announced address is joined by the peer, a removed one is left by it.
 */
class UserspacePathManagerTest {
    private static final long BYTES = 12L << 20;
    private static final LossModel LOSS = LossModel.bernoulli(0.01);
    private static final String SERVER_SECOND = "198.18.0.3";

    private static PathSpec path(long delayMs) {
        return MptcpScenario.lossyPath(20_000_000, delayMs, LOSS);
    }

    private static StackConfig userspace() {
        return StackConfig.defaults().withMptcp(MptcpConfig.defaults().withPathManager("userspace"));
    }

    @Test
    void clientProgram_createsSubflow_setsBackup_destroysIt_peerSeesEachStep_nothingLost() {
        MptcpScenario s = new MptcpScenario(91, BYTES, new PathSpec[] {path(10), path(20)}, bed -> userspace(),
                StackConfig.defaults());
        InetSocketAddress server = MptcpScenario.server();
        var secondAddress = MptcpScenario.address(s.bed.path(1).clientAddress());
        List<PmCommand.Result> results = new ArrayList<>();
        MptcpInfo[] afterDestroy = new MptcpInfo[1];
        PmMonitor serverMonitor = new PmMonitor(s.sim, s.serverEnd);
        PmMonitor clientMonitor = new PmMonitor(s.sim, s.clientEnd, (e, now) -> {
            switch (e.type()) {
                // As mptcpd's "sspi" plugin would: a second subflow from the other interface once established.
                case ESTABLISHED -> results.add(s.clientEnd.stack().pmCommand(now,
                        new PmCommand.SubflowCreate(e.token(), secondAddress, 1, server, false)));
                case SUB_ESTABLISHED -> {
                    InetSocketAddress local = e.local().orElseThrow();
                    InetSocketAddress remote = e.remote().orElseThrow();
                    s.sim.schedule(now + Nanos.ofMillis(500), (t, arg) -> {
                        results.add(s.clientEnd.stack().pmCommand(t, new PmCommand.SetPriority(e.token(), local, remote, true)));
                        s.clientEnd.service(t);
                    }, null);
                    s.sim.schedule(now + Nanos.ofMillis(1000), (t, arg) -> {
                        results.add(s.clientEnd.stack().pmCommand(t, new PmCommand.SubflowDestroy(e.token(), local, remote)));
                        s.clientEnd.service(t);
                    }, null);
                    s.sim.schedule(now + Nanos.ofMillis(1500), (t, arg) -> afterDestroy[0] = s.clientInfo(), null);
                }
                default -> { }
            }
        });

        boolean done = s.run(Nanos.ofSeconds(300));
        s.sim.runUntil(s.sim.nowNanos() + Nanos.ofSeconds(1)); // the subflows' FINs

        s.assertIntact(done);
        assertThat(results).as("%s", s).containsExactly(PmCommand.Result.DONE, PmCommand.Result.DONE,
                PmCommand.Result.DONE);
        assertThat(clientMonitor.types()).as("client%s", clientMonitor.lines()).containsExactly(PmEvent.Type.CREATED,
                PmEvent.Type.ESTABLISHED, PmEvent.Type.SUB_ESTABLISHED, PmEvent.Type.SUB_CLOSED, PmEvent.Type.CLOSED);
        assertThat(serverMonitor.types()).as("server%s", serverMonitor.lines()).containsExactly(PmEvent.Type.CREATED,
                PmEvent.Type.ESTABLISHED, PmEvent.Type.SUB_ESTABLISHED, PmEvent.Type.SUB_PRIORITY,
                PmEvent.Type.SUB_CLOSED, PmEvent.Type.CLOSED);
        PmEvent joined = clientMonitor.events.get(2);
        assertThat(joined.localId()).isEqualTo(1);
        assertThat(joined.local().orElseThrow().getAddress()).isEqualTo(secondAddress);
        assertThat(clientMonitor.events.get(3).local()).as("the same subflow closes").isEqualTo(joined.local());
        PmEvent prio = serverMonitor.events.get(3);
        assertThat(prio.backup()).as("server%s", serverMonitor.lines()).isTrue();
        assertThat(prio.remote()).as("the MP_PRIO came on the joined subflow").isEqualTo(joined.local());
        assertThat(s.clientMib().get(MibCounter.MPTCP_MP_PRIO_TX)).as("%s", s).isPositive();
        assertThat(s.serverMib().get(MibCounter.MPTCP_MP_PRIO_RX)).as("%s", s).isPositive();
        assertThat(s.clientMib().get(MibCounter.MPTCP_RM_SUBFLOW)).as("%s", s).isEqualTo(1);
        // The created subflow carried data before it went; the data it held went again on the first.
        s.assertEverySubflowCarriedDataBothWays(2);
        // MPTCP_INFO half a second after the destroy: one subflow, data still flowing.
        MptcpInfo info = afterDestroy[0];
        assertThat(info).as("%s", s).isNotNull();
        assertThat(info.pathManager()).isEqualTo("userspace");
        assertThat(info.subflows()).as("%s", info).hasSize(1);
        assertThat(info.lastDataSentNanos()).as("%s", info).isGreaterThan(Nanos.ofMillis(1000));
        assertThat(info.lastAckReceivedNanos()).as("%s", info).isGreaterThan(Nanos.ofMillis(1000));
        assertThat(info.lastDataReceivedNanos()).as("%s", info).isGreaterThan(Nanos.ofMillis(1000));
        assertThat(info.toString()).as("ss -Mi's fields").contains("pm:userspace", "subflows:1", "bytes_retrans:");
        assertThat(serverMonitor.events).as("every server event says it is the server side")
                .allSatisfy(e -> assertThat(e.serverSide()).isTrue());
    }

    @Test
    void serverProgram_announcesAnAddress_clientJoinsIt_thenRemovesIt_clientLeavesIt_nothingLost() {
        StackConfig client = StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(2, 1)));
        MptcpScenario s = new MptcpScenario(92, BYTES, new PathSpec[] {path(10)}, bed -> client, userspace(),
                SERVER_SECOND);
        var second = MptcpScenario.address(SERVER_SECOND);
        List<PmCommand.Result> results = new ArrayList<>();
        MptcpInfo[] afterRemove = new MptcpInfo[1];
        PmMonitor clientMonitor = new PmMonitor(s.sim, s.clientEnd);
        PmMonitor serverMonitor = new PmMonitor(s.sim, s.serverEnd, (e, now) -> {
            switch (e.type()) {
                case ESTABLISHED -> results.add(s.serverEnd.stack().pmCommand(now,
                        new PmCommand.Announce(e.token(), 5, second, 0)));
                case SUB_ESTABLISHED -> s.sim.schedule(now + Nanos.ofMillis(800), (t, arg) -> {
                    results.add(s.serverEnd.stack().pmCommand(t, new PmCommand.Remove(e.token(), 5)));
                    s.serverEnd.service(t);
                    s.sim.schedule(t + Nanos.ofMillis(500), (t2, arg2) -> afterRemove[0] = s.serverInfo(), null);
                }, null);
                default -> { }
            }
        });

        boolean done = s.run(Nanos.ofSeconds(300));
        s.sim.runUntil(s.sim.nowNanos() + Nanos.ofSeconds(1));

        s.assertIntact(done);
        assertThat(results).as("%s", s).containsExactly(PmCommand.Result.DONE, PmCommand.Result.DONE);
        assertThat(clientMonitor.types()).as("client%s", clientMonitor.lines()).containsExactly(PmEvent.Type.CREATED,
                PmEvent.Type.ESTABLISHED, PmEvent.Type.ANNOUNCED, PmEvent.Type.SUB_ESTABLISHED, PmEvent.Type.REMOVED,
                PmEvent.Type.SUB_CLOSED, PmEvent.Type.CLOSED);
        PmEvent announced = clientMonitor.events.get(2);
        assertThat(announced.toMonitorLine()).isEqualTo(String.format(
                "[     ANNOUNCED] token=%08x remid=5 daddr4=198.18.0.3 dport=%d", announced.token(), MptcpScenario.PORT));
        assertThat(clientMonitor.events.get(3).remoteId()).as("client%s", clientMonitor.lines()).isEqualTo(5);
        assertThat(clientMonitor.events.get(4).remoteId()).isEqualTo(5);
        assertThat(serverMonitor.types()).as("server%s", serverMonitor.lines()).containsSubsequence(
                PmEvent.Type.CREATED, PmEvent.Type.ESTABLISHED, PmEvent.Type.SUB_ESTABLISHED, PmEvent.Type.SUB_CLOSED,
                PmEvent.Type.CLOSED);
        assertThat(serverMonitor.events.get(2).localId()).as("server%s", serverMonitor.lines()).isEqualTo(5);
        assertThat(s.serverMib().get(MibCounter.MPTCP_ADD_ADDR_TX)).as("%s", s).isPositive();
        assertThat(s.serverMib().get(MibCounter.MPTCP_RM_ADDR_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_RM_ADDR)).as("%s", s).isEqualTo(1);
        s.assertEverySubflowCarriedDataBothWays(2);
        // The server's MPTCP_INFO after the removal: what its subflow from the address held went again on the other.
        assertThat(afterRemove[0]).as("%s", s).isNotNull();
        assertThat(afterRemove[0].subflows()).as("%s", afterRemove[0]).hasSize(1);
        assertThat(afterRemove[0].addAddrSignal()).as("withdrawn; %s", afterRemove[0]).isZero();
        assertThat(afterRemove[0].bytesRetransmitted()).as("reinjected; %s", afterRemove[0]).isPositive();
        assertThat(afterRemove[0].retransmits()).as("%s", afterRemove[0]).isPositive();
    }

    /**
     * Linux opens a subflow only while its MPTCP socket is ESTABLISHED ({@code __mptcp_subflow_connect}
     * asks {@code mptcp_is_fully_established}): once the application has ended its stream, the
     * socket is in FIN_WAIT1 and mptcpd's create gets an error. A join then would only be refused
     * by a Linux peer, whose socket leaves ESTABLISHED at our DATA_FIN.
     */
    @Test
    void subflowCreate_afterTheClientEndedItsStream_failsAndNoJoinLeaves() {
        long bytes = 1L << 20;
        MptcpScenario s = new MptcpScenario(94, bytes, new PathSpec[] {path(10), path(20)}, bed -> userspace(),
                StackConfig.defaults());
        var secondAddress = MptcpScenario.address(s.bed.path(1).clientAddress());
        List<PmCommand.Result> results = new ArrayList<>();
        Integer[] token = new Integer[1]; // the connection's token, null until it is established
        new PmMonitor(s.sim, s.clientEnd, (e, now) -> {
            if (e.type() == PmEvent.Type.ESTABLISHED) {
                token[0] = e.token();
            }
        });
        EventHandler onceWritten = new EventHandler() {
            @Override
            public void onEvent(long now, Object arg) {
                if (token[0] == null || s.client.bytesWritten() < bytes) {
                    s.sim.schedule(now + Nanos.ofMillis(1), this, null);
                    return;
                }
                // The whole stream is in the send buffer and the client has shut its side down.
                results.add(s.clientEnd.stack().pmCommand(now,
                        new PmCommand.SubflowCreate(token[0], secondAddress, 1, MptcpScenario.server(), false)));
                s.clientEnd.service(now);
            }
        };
        s.sim.schedule(0, onceWritten, null);

        boolean done = s.run(Nanos.ofSeconds(60));

        s.assertIntact(done);
        assertThat(results).as("%s", s).containsExactly(PmCommand.Result.FAILED);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isZero();
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_SYN_RX)).as("%s", s).isZero();
        assertThat(s.maxSubflows).isEqualTo(1);
    }

    @Test
    void commands_badToken_otherManager_unknownSubflow_areRefusedWithAResult() {
        MptcpScenario s = new MptcpScenario(93, 1L << 20, new PathSpec[] {path(10)}, bed -> userspace(),
                StackConfig.defaults());
        List<PmCommand.Result> results = new ArrayList<>();
        new PmMonitor(s.sim, s.clientEnd, (e, now) -> {
            if (e.type() == PmEvent.Type.ESTABLISHED) {
                var stack = s.clientEnd.stack();
                InetSocketAddress nowhere = new InetSocketAddress(MptcpScenario.address("198.18.99.9"), 1);
                results.add(stack.pmCommand(now, new PmCommand.Remove(e.token() ^ 1, 1)));
                results.add(stack.pmCommand(now, new PmCommand.SubflowDestroy(e.token(), nowhere, nowhere)));
                results.add(stack.pmCommand(now, new PmCommand.Remove(e.token(), 7)));
                results.add(stack.pmCommand(now, new PmCommand.SubflowCreate(e.token(), nowhere.getAddress(), 1,
                        MptcpScenario.server(), false)));
                results.add(stack.pmCommand(now, new PmCommand.Announce(e.token(), 0, nowhere.getAddress(), 0)));
            }
        });
        List<PmCommand.Result> onServer = new ArrayList<>();
        new PmMonitor(s.sim, s.serverEnd, (e, now) -> {
            if (e.type() == PmEvent.Type.ESTABLISHED) {
                onServer.add(s.serverEnd.stack().pmCommand(now, new PmCommand.Remove(e.token(), 1)));
            }
        });

        boolean done = s.run(Nanos.ofSeconds(60));

        s.assertIntact(done);
        assertThat(results).containsExactly(PmCommand.Result.NO_SUCH_TOKEN, PmCommand.Result.NO_SUCH_SUBFLOW,
                PmCommand.Result.NO_SUCH_SUBFLOW, PmCommand.Result.FAILED, PmCommand.Result.INVALID);
        assertThat(onServer).as("the server runs the in-kernel manager").containsExactly(PmCommand.Result.NOT_USERSPACE);
        assertThat(s.maxSubflows).isEqualTo(1);
    }
}
