package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/**
 * Where a server takes MP_JOINs: at its connection's port, at a port it announced with an address
 * (RFC 8684 section 3.4.1; Linux's port counters, MPJoinPort* and MismatchPort*), and not at its
 * initial address and port once its MP_CAPABLE set flag C (section 3.1; Linux's
 * {@code allow_join_initial_addr_port=0}); and what a SYN other than a join gets at a join-only port.
 */
class JoinPortAndFlagCTest {
    private static final InetAddress SERVER_B = address("10.0.0.4");
    private static final InetAddress STRANGER = address("10.0.0.9");
    private static final int JOIN_PORT = 10100;

    private static StackConfig server(MptcpConfig mptcp) {
        return StackConfig.defaults().withMptcp(mptcp);
    }

    private static MptcpConfig announcingWithPort() {
        return MptcpConfig.defaults().withEndpoints(List.of(Endpoint.withPort(SERVER_B, 1, JOIN_PORT,
                Endpoint.Flag.SIGNAL)));
    }

    @Test
    void signalEndpointWithPort_clientJoinsThatPort_portCountersAtBothEnds() {
        Pair pair = new Pair(StackConfig.defaults().withMptcp(MptcpConfig.defaults().withLimits(new Limits(2, 1))),
                server(announcingWithPort()), 31);
        pair.server.addAddress(SERVER_B);
        List<Integer> joinPorts = new ArrayList<>();
        pair.toServer.dropIf = bytes -> {
            TcpSegment seg = segment(bytes);
            if (seg.has(TcpFlags.SYN) && seg.option(MptcpOption.MpJoinSyn.class).isPresent()) {
                joinPorts.add(seg.dstPort());
            }
            return false;
        };
        MptcpPairTest.Exchange x = new MptcpPairTest.Exchange(pair, 500_000).run(Nanos.ofSeconds(60));
        assertThat(x.clientSide.eof && x.serverSide.eof).isTrue();

        assertThat(joinPorts).containsExactly(JOIN_PORT);
        // chk_add_nr 1 1 1: the port counters where Linux counts them.
        assertThat(pair.client.mib().get(MibCounter.MPTCP_PORT_ADD)).isEqualTo(1);
        assertThat(pair.client.mib().get(MibCounter.MPTCP_JOIN_PORT_SYNACK_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_PORT_SYN_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_PORT_ACK_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_ACK_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_MISMATCH_PORT_SYN_RX)).isZero();
        assertThat(pair.server.mib().get(MibCounter.MPTCP_MISMATCH_PORT_ACK_RX)).isZero();
        // The echo carries the port too.
        assertThat(pair.server.mib().get(MibCounter.MPTCP_PORT_ADD)).isEqualTo(1);
    }

    @Test
    void joinOnlyPort_mpCapableAndPlainSyns_resetAdministrativelyProhibited() {
        Pair pair = new Pair(StackConfig.defaults(), server(announcingWithPort()), 32);
        pair.server.addAddress(SERVER_B);
        TcpSegment mpc = syn(40000, JOIN_PORT, List.of(MptcpOption.MpCapable.syn(MptcpOption.MpCapable.FLAG_HMAC_SHA256)));
        TcpSegment plain = syn(40001, JOIN_PORT, List.of());

        TcpSegment answerToMpc = exchange(pair, STRANGER, SERVER_B, mpc);
        TcpSegment answerToPlain = exchange(pair, STRANGER, SERVER_B, plain);

        for (TcpSegment rst : List.of(answerToMpc, answerToPlain)) {
            assertThat(rst.has(TcpFlags.RST)).as("%s", rst).isTrue();
            assertThat(rst.option(MptcpOption.MpTcpRst.class)).as("%s", rst).hasValueSatisfying(
                    r -> assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_ADMINISTRATIVELY_PROHIBITED));
        }
        assertThat(pair.server.mib().get(MibCounter.MPTCP_CAPABLE_ENDP_ATTEMPT)).isEqualTo(2);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_CAPABLE_SYN_RX)).isEqualTo(1);
    }

    @Test
    void established_joinToAPortNotAnnounced_mismatchPortSynRxAndReset() {
        Pair pair = new Pair(StackConfig.defaults(), server(MptcpConfig.defaults()), 33);
        MptcpPairTest.Exchange x = established(pair);
        int token = pair.server.mptcpInfo(x.server).localToken();
        TcpSegment join = syn(40002, 7777, List.of(new MptcpOption.MpJoinSyn(false, 1, token, 12345)));

        TcpSegment rst = exchange(pair, pair.clientAddr, pair.serverAddr, join);

        assertRefusedWith(rst, MptcpOption.MpTcpRst.REASON_ADMINISTRATIVELY_PROHIBITED);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_MISMATCH_PORT_SYN_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_SYN_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_PORT_SYN_RX)).isZero();
    }

    @Test
    void allowJoinInitialAddrPortOff_everyMpCapableCarriesFlagC_andAJoinThereIsRefused() {
        MptcpConfig deny = MptcpConfig.defaults().withAllowJoinInitialAddrPort(false);
        Pair pair = new Pair(StackConfig.defaults().withMptcp(deny), server(deny), 34);
        List<String> flagC = new ArrayList<>();
        java.util.function.Predicate<byte[]> watch = bytes -> {
            TcpSegment seg = segment(bytes);
            seg.option(MptcpOption.MpCapable.class).ifPresent(c -> flagC.add(
                    (seg.has(TcpFlags.SYN) ? seg.has(TcpFlags.ACK) ? "SYN/ACK" : "SYN" : "ACK") + " C="
                            + c.noMoreSubflowsToSource()));
            return false;
        };
        pair.toServer.dropIf = watch;
        pair.toClient.dropIf = watch;
        MptcpPairTest.Exchange x = established(pair);
        assertThat(flagC).contains("SYN C=true", "SYN/ACK C=true", "ACK C=true").allMatch(f -> f.endsWith("C=true"));

        // A peer that ignores the flag: its join to the server's initial address and port is refused.
        int token = pair.server.mptcpInfo(x.server).localToken();
        TcpSegment join = syn(40003, Pair.SERVER_PORT, List.of(new MptcpOption.MpJoinSyn(false, 1, token, 777)));
        TcpSegment rst = exchange(pair, pair.clientAddr, pair.serverAddr, join);

        assertRefusedWith(rst, MptcpOption.MpTcpRst.REASON_ADMINISTRATIVELY_PROHIBITED);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_REJECTED)).isEqualTo(1);
    }

    @Test
    void allowJoinInitialAddrPortOn_noFlagC() {
        Pair pair = new Pair(StackConfig.defaults(), 35);
        List<Boolean> flagC = new ArrayList<>();
        pair.toClient.dropIf = bytes -> {
            segment(bytes).option(MptcpOption.MpCapable.class).ifPresent(c -> flagC.add(c.noMoreSubflowsToSource()));
            return false;
        };
        new MptcpPairTest.Exchange(pair, 50_000).run(Nanos.ofSeconds(30));
        assertThat(flagC).isNotEmpty().containsOnly(false);
    }

    /**
     * Once the peer's DATA_FIN is in, the connection takes no join, though it still sends: Linux's
     * MPTCP socket is then in CLOSE_WAIT, and {@code mptcp_can_accept_new_subflow} asks for
     * ESTABLISHED. The join gets a RST with "MPTCP-specific error" and counts MPJoinRejected; the
     * server's stream still arrives whole.
     */
    @Test
    void peerEndedItsStream_aJoinIsRefused_theOtherWayCarriesOn() {
        Pair pair = new Pair(StackConfig.defaults(), server(MptcpConfig.defaults()), 36);
        MptcpPairTest.Exchange x = new MptcpPairTest.Exchange(pair, 100_000, 2_000_000);
        pair.flush();
        pair.driveUntil(() -> {
            x.pump();
            return x.serverSide != null && x.serverSide.eof;
        }, Nanos.ofSeconds(30), Long.MAX_VALUE);
        assertThat(x.serverSide.read).isEqualTo(100_000);
        assertThat(x.clientSide.read).as("the server is still sending").isLessThan(2_000_000);
        int token = pair.server.mptcpInfo(x.server).localToken();
        TcpSegment join = syn(40004, Pair.SERVER_PORT, List.of(new MptcpOption.MpJoinSyn(false, 1, token, 4242)));

        TcpSegment rst = exchange(pair, pair.clientAddr, pair.serverAddr, join);

        assertRefusedWith(rst, MptcpOption.MpTcpRst.REASON_MPTCP_SPECIFIC);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_SYN_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_REJECTED)).isEqualTo(1);
        x.run(Nanos.ofSeconds(30));
        assertThat(x.clientSide.read).isEqualTo(2_000_000);
        assertThat(x.clientSide.received.digest()).isEqualTo(x.serverSide.sent.digest());
    }

    // ---- helpers

    /** Runs a 2 MB exchange until 100 kB arrived each way: established, the server holding the client's key, no DATA_FIN yet. */
    private static MptcpPairTest.Exchange established(Pair pair) {
        MptcpPairTest.Exchange x = new MptcpPairTest.Exchange(pair, 2_000_000);
        pair.flush();
        pair.driveUntil(() -> {
            x.pump();
            return x.serverSide != null && x.serverSide.read >= 100_000 && x.clientSide.read >= 100_000;
        }, Nanos.ofSeconds(30), Long.MAX_VALUE);
        return x;
    }

    /** The server's answer to a join it refuses: a RST with MP_TCPRST and {@code reason}. */
    private static void assertRefusedWith(TcpSegment rst, int reason) {
        assertThat(rst.has(TcpFlags.RST)).as("%s", rst).isTrue();
        assertThat(rst.option(MptcpOption.MpTcpRst.class)).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(reason));
    }

    private static TcpSegment syn(int srcPort, int dstPort, List<TcpOption> options) {
        return new TcpSegment(srcPort, dstPort, 1000, 0, TcpFlags.SYN, 65535, 0, options, TcpSegment.EMPTY);
    }

    /**
     * Hands {@code seg} from {@code from} to {@code to} on the pair's server, at the pair's time,
     * and returns what the server sends back to {@code seg}'s port.
     */
    private static TcpSegment exchange(Pair pair, InetAddress from, InetAddress to, TcpSegment seg) {
        IpHeader ip = IpHeader.V4.of((Inet4Address) from, (Inet4Address) to, IpHeader.PROTOCOL_TCP);
        pair.server.handleInbound(pair.now(), ByteBuffer.wrap(TcpPackets.toBytes(ip, seg)));
        ByteBuffer out = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
        for (Transmit t; (t = pair.server.pollTransmit(pair.now(), out.clear())) != null; ) {
            TcpSegment answer = segment(java.util.Arrays.copyOf(out.array(), t.length()));
            if (answer.dstPort() == seg.srcPort()) {
                return answer;
            }
        }
        throw new AssertionError("no answer to " + seg);
    }

    private static TcpSegment segment(byte[] bytes) {
        DecodeResult<TcpPacket> d = TcpPackets.decode(ByteBuffer.wrap(bytes));
        return ((DecodeResult.Ok<TcpPacket>) d).value().tcp();
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
