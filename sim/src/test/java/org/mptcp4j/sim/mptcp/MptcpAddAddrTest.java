package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.wire.MptcpOption;

/**
 * ADD_ADDR (RFC 8684 section 3.4.1): a server with a second address as a {@code signal} endpoint
 * announces it, with the HMAC that proves the announcement comes from the connection's peer; a
 * client that accepts announcements ({@code add_addr_accepted 1}) echoes it and joins the
 * announced address from its own first address, and one whose copy of the announcement was
 * altered in flight drops it.
 */
class MptcpAddAddrTest {
    private static final long BYTES = 2L << 20;
    private static final String SECOND = "198.18.0.3";

    private static MptcpScenario scenario(long seed) {
        StackConfig server = StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                .withEndpoints(List.of(Endpoint.of(MptcpScenario.address(SECOND), 1, Endpoint.Flag.SIGNAL))));
        StackConfig client = StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(2, 1)));
        PathSpec path = PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(LossModel.bernoulli(0.002));
        return new MptcpScenario(seed, BYTES, new PathSpec[] {path}, bed -> client, server, SECOND);
    }

    @Test
    void signalEndpoint_announced_echoed_andJoined() {
        MptcpScenario s = scenario(70);

        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(s.serverMib().get(MibCounter.MPTCP_ADD_ADDR_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_ADD_ADDR)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_ECHO_ADD_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_ECHO_ADD)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_ADD_ADDR_DROP)).as("%s", s).isZero();
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.subflowData.keySet()).as("%s", s).anySatisfy(name -> assertThat(name).endsWith(SECOND + ":5001"));
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(2);
    }

    @Test
    void announcementWithWrongHmac_dropped_noEchoNoJoin() {
        MptcpScenario s = scenario(71);
        int[] mutated = {0};
        s.clientTamper.rule((now, p) -> Tamper.mapOptions(p, o -> {
            if (o instanceof MptcpOption.AddAddr a && !a.echo() && a.truncatedHmac().isPresent()) {
                mutated[0]++;
                return new MptcpOption.AddAddr(false, a.addressId(), a.address(), a.port(),
                        OptionalLong.of(a.truncatedHmac().getAsLong() ^ 1));
            }
            return o;
        }));

        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(mutated[0]).as("%s", s).isPositive();
        assertThat(s.clientMib().get(MibCounter.MPTCP_ADD_ADDR_DROP)).as("%s", s).isEqualTo(mutated[0]);
        assertThat(s.clientMib().get(MibCounter.MPTCP_ADD_ADDR)).as("%s", s).isZero();
        assertThat(s.clientMib().get(MibCounter.MPTCP_ECHO_ADD_TX)).as("%s", s).isZero();
        assertThat(s.serverMib().get(MibCounter.MPTCP_ECHO_ADD)).as("%s", s).isZero();
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isZero();
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(1);
    }
}
