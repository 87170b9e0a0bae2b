package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * The {@code fullmesh} and {@code ndiffports} path managers of the multipath-tcp.org kernel, on a
 * {@link MptcpScenario} with both ends sending at once under 1 % loss both ways: fullmesh joins
 * every pair of the client's and the server's addresses, ndiffports opens its subflows between one
 * pair of addresses from distinct source ports, and every subflow carries data both ways.
 */
class FullmeshNdiffportsTest {
    private static final long BYTES = 8L << 20;
    private static final LossModel LOSS = LossModel.bernoulli(0.01);
    private static final String SERVER_SECOND = "198.18.0.3";

    private static PathSpec path(long delayMs) {
        return MptcpScenario.lossyPath(20_000_000, delayMs, LOSS);
    }

    @Test
    void fullmesh_twoClientAndTwoServerAddresses_opensFourSubflows_allCarryDataBothWays() {
        // The server announces its second address (a signal endpoint); the client meshes its two
        // addresses with both of the server's: 4 subflows, 3 of them joins.
        StackConfig server = StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(3, 0))
                .withEndpoints(List.of(Endpoint.of(MptcpScenario.address(SERVER_SECOND), 1, Endpoint.Flag.SIGNAL))));
        StackConfig client = StackConfig.defaults()
                .withMptcp(MptcpConfig.defaults().withPathManager("fullmesh").withLimits(new Limits(3, 1)));
        MptcpScenario s = new MptcpScenario(81, BYTES, new PathSpec[] {path(10), path(20)}, bed -> client, server,
                SERVER_SECOND);
        PmMonitor monitor = new PmMonitor(s.sim, s.clientEnd);

        boolean done = s.run(Nanos.ofSeconds(300));
        s.sim.runUntil(s.sim.nowNanos() + Nanos.ofSeconds(1)); // the subflows' FINs

        s.assertIntact(done);
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(4);
        String a = s.bed.path(0).clientAddress();
        String b = s.bed.path(1).clientAddress();
        assertThat(s.subflowData.keySet().stream().map(MptcpScenario::addressPair).collect(Collectors.toSet()))
                .as("%s", s).isEqualTo(Set.of(a + " -> 198.18.0.2", a + " -> " + SERVER_SECOND, b + " -> 198.18.0.2",
                        b + " -> " + SERVER_SECOND));
        s.assertEverySubflowCarriedDataBothWays(4);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(3);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(3);
        assertThat(monitor.types()).as("client events%s", monitor.lines()).containsSubsequence(PmEvent.Type.CREATED,
                PmEvent.Type.ESTABLISHED, PmEvent.Type.ANNOUNCED, PmEvent.Type.CLOSED);
        List<PmEvent> joins = monitor.events.stream().filter(e -> e.type() == PmEvent.Type.SUB_ESTABLISHED).toList();
        assertThat(joins).as("client events%s", monitor.lines()).hasSize(3);
        // The server's SYN-ACK names the address joined by the id it announced it with.
        assertThat(joins).as("client events%s", monitor.lines()).allSatisfy(e -> assertThat(e.remoteId())
                .isEqualTo(e.remote().orElseThrow().getAddress().getHostAddress().equals(SERVER_SECOND) ? 1 : 0));
    }

    @Test
    void ndiffports_threeSubflowsOverOneAddressPair_distinctPorts_allCarryDataBothWays() {
        StackConfig client = StackConfig.defaults()
                .withMptcp(MptcpConfig.defaults().withPathManager("ndiffports").withNdiffports(3));
        MptcpScenario s = new MptcpScenario(82, BYTES, new PathSpec[] {path(10)}, bed -> client, StackConfig.defaults());

        boolean done = s.run(Nanos.ofSeconds(300));

        s.assertIntact(done);
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(3);
        assertThat(s.subflowData.keySet().stream().map(MptcpScenario::addressPair).distinct().toList())
                .as("one address pair; %s", s).containsExactly(s.bed.path(0).clientAddress() + " -> 198.18.0.2");
        assertThat(s.subflowData.keySet()).as("three source ports; %s", s).hasSize(3);
        s.assertEverySubflowCarriedDataBothWays(3);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(2);
        assertThat(s.clientInfo() == null ? "ndiffports" : s.clientInfo().pathManager()).isEqualTo("ndiffports");
    }
}
