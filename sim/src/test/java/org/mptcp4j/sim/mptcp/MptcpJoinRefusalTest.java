package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpSegment;

/**
 * MP_JOINs the server must refuse (RFC 8684 section 3.2), each during a transfer in both
 * directions that must not notice: a token no connection has, a third ACK whose HMAC is wrong, a
 * server whose subflow limit is 0; and a client that opens no more subflows than its own limit.
 */
class MptcpJoinRefusalTest {
    private static final long BYTES = 2L << 20;

    private static PathSpec[] paths(int n) {
        PathSpec[] out = new PathSpec[n];
        for (int i = 0; i < n; i++) {
            out[i] = PathSpec.of(20_000_000, Duration.ofMillis(10 + 5 * i)).withLoss(LossModel.bernoulli(0.002));
        }
        return out;
    }

    @Test
    void joinWithUnknownToken_isResetWithMpTcpRst_connectionUnharmed() {
        MptcpScenario s = MptcpScenario.standard(60, BYTES, paths(2));
        int bogusPort = 40000;
        List<TcpSegment> answers = new ArrayList<>();
        s.clientTamper.rule((now, p) -> {
            if (p.tcp().dstPort() == bogusPort) {
                answers.add(p.tcp());
                return null; // the answer is ours, not the client stack's
            }
            return p;
        });
        assertThat(s.runUntilRead(BYTES / 3, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        int unknownToken = s.clientInfo().remoteToken() ^ 1; // the server's token, one bit off
        Inet4Address from = (Inet4Address) MptcpScenario.address(s.bed.path(1).clientAddress());
        Inet4Address to = (Inet4Address) MptcpScenario.address(MultipathTestbed.SERVER_ADDRESS);
        TcpSegment syn = new TcpSegment(bogusPort, MptcpScenario.PORT, 12345, 0, TcpFlags.SYN, 65535, 0,
                List.of(new TcpOption.Mss(1460), new MptcpOption.MpJoinSyn(false, 7, unknownToken, 0x5eed)),
                TcpSegment.EMPTY);
        s.clientTamper.inject(new TcpPacket(IpHeader.V4.of(from, to, IpHeader.PROTOCOL_TCP), syn));

        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(answers).as("%s", s).hasSize(1);
        TcpSegment rst = answers.getFirst();
        assertThat(rst.has(TcpFlags.RST)).as("%s", rst).isTrue();
        assertThat(rst.ack()).as("%s", rst).isEqualTo(12346);
        assertThat(rst.option(MptcpOption.MpTcpRst.class)).as("%s", rst)
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_MPTCP_SPECIFIC));
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_NO_TOKEN_FOUND)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_RST_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("the real join; %s", s).isEqualTo(1);
        s.assertEverySubflowCarriedDataBothWays(2);
    }

    @Test
    void thirdAckWithWrongHmac_subflowIsReset_connectionCarriesOn() {
        MptcpScenario s = MptcpScenario.standard(61, BYTES, paths(2));
        List<MptcpOption.MpTcpRst> resets = resetsSeenByClient(s);
        int[] mutated = {0};
        s.serverTamper.rule((now, p) -> Tamper.mapOptions(p, o -> {
            if (o instanceof MptcpOption.MpJoinAck ack && mutated[0] == 0) {
                mutated[0]++;
                byte[] hmac = Arrays.copyOf(ack.senderHmac(), ack.senderHmac().length);
                hmac[0] ^= 0x01;
                return new MptcpOption.MpJoinAck(hmac);
            }
            return o;
        }));

        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(mutated[0]).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_HMAC_FAILURE)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_RST_TX)).as("%s", s).isEqualTo(1);
        assertThat(resets).as("the reset carried MP_TCPRST; %s", s).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_MPTCP_SPECIFIC));
        assertThat(s.clientMib().get(MibCounter.MPTCP_RST_RX)).as("%s", s).isEqualTo(1);
        s.assertOnlyTheInitialSubflowCarriedData();
        assertThat(s.client.failure()).as("%s", s).isNull();
        assertThat(s.server.failure()).as("%s", s).isNull();
    }

    @Test
    void serverSubflowLimitZero_joinRejected_transferOnTheInitialSubflow() {
        StackConfig server = StackConfig.defaults()
                .withMptcp(MptcpConfig.defaults().withLimits(new Limits(0, 0)));
        MptcpScenario s = joinsFromEveryPath(62, 2, 1, server);
        List<MptcpOption.MpTcpRst> resets = resetsSeenByClient(s);

        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_SYN_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_REJECTED)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isZero();
        assertThat(s.serverMib().get(MibCounter.MPTCP_RST_TX)).as("%s", s).isEqualTo(1);
        // As Linux (mptcp_join.sh "single subflow, limited by server": joins 1 1 0): the SYN/ACK
        // goes out, the third ACK is refused with "administratively prohibited".
        assertThat(resets).as("the refusal carried MP_TCPRST; %s", s).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_ADMINISTRATIVELY_PROHIBITED));
        assertThat(s.clientMib().get(MibCounter.MPTCP_RST_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYNACK_RX)).as("%s", s).isEqualTo(1);
        s.assertOnlyTheInitialSubflowCarriedData();
    }

    @Test
    void clientSubflowLimitOne_opensOneJoinOfTwoEndpoints() {
        MptcpScenario s = joinsFromEveryPath(63, 3, 1, StackConfig.defaults());

        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(s.maxSubflows).as("%s", s).isEqualTo(2);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.bed.path(2).link().aToB().counters().packetsSent()).as("path C unused; %s", s).isZero();
        s.assertEverySubflowCarriedDataBothWays(2);
    }

    /**
     * A client joining from 7 endpoints at once to a server at Linux's default limit of 2 extra
     * subflows: 2 joins are taken and 5 refused at their third ACK, however the refused ones'
     * closing interleaves with the others' arrival (a refused join once gave back a slot it never
     * took, and the server ended with 4 joins).
     */
    @Test
    void serverAtDefaultLimit_sevenJoinsAtOnce_takesTwoAndRefusesFive() {
        MptcpScenario s = joinsFromEveryPath(64, 8, 7, StackConfig.defaults());

        boolean done = s.run(Nanos.ofSeconds(120));

        s.assertIntact(done);
        assertThat(s.clientMib().get(MibCounter.MPTCP_JOIN_SYN_TX)).as("%s", s).isEqualTo(7);
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_ACK_RX)).as("%s", s).isEqualTo(Limits.DEFAULT.subflows());
        assertThat(s.serverMib().get(MibCounter.MPTCP_JOIN_REJECTED)).as("%s", s).isEqualTo(5);
        assertThat(s.subflowData.values().stream().filter(d -> d[0] > 0 && d[1] > 0))
                .as("subflows that carried data both ways; %s", s).hasSize(3);
    }

    /** The MP_TCPRST options of the RSTs that reach the client, as seen on its wire. */
    /**
     * {@code paths} paths; the client has a {@code subflow} endpoint on each but the first and may
     * open {@code clientSubflows} joins; the server runs {@code server}.
     */
    private static MptcpScenario joinsFromEveryPath(long seed, int paths, int clientSubflows, StackConfig server) {
        return new MptcpScenario(seed, BYTES, paths(paths), bed -> StackConfig.defaults().withMptcp(
                MptcpConfig.defaults().withEndpoints(MptcpScenario.subflowEndpoints(bed))
                        .withLimits(new Limits(clientSubflows, 0))), server);
    }

    private static List<MptcpOption.MpTcpRst> resetsSeenByClient(MptcpScenario s) {
        List<MptcpOption.MpTcpRst> out = new ArrayList<>();
        s.clientTamper.rule((now, p) -> {
            if (p.tcp().has(TcpFlags.RST)) {
                p.tcp().option(MptcpOption.MpTcpRst.class).ifPresent(out::add);
            }
            return p;
        });
        return out;
    }
}
