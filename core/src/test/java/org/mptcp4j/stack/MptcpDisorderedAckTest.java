package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.stack.MptcpPairTest.CLIENT_SECOND;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.stack.MptcpPairTest.Exchange;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;

/**
 * A pure ACK carrying an MPTCP signal that the network delivers after later segments of its
 * subflow, as a Linux peer's ACKs sent from another CPU's queue arrive (the CI flake of
 * TunKernelMptcpInteropTest's MP_PRIO case: PAWS rejections 3, MPTcpExtMPPrioRx 0). Its
 * TSval is older than TS.Recent, so PAWS fails it, yet the signal is taken: a Linux peer sends it once
 * (MP_PRIO, REMOVE_ADDR).
 */
class MptcpDisorderedAckTest {
    private static final long REORDER_NANOS = Nanos.ofMillis(20);

    private static boolean carries(byte[] packet, Class<? extends MptcpOption> option) {
        return TcpPackets.decode(ByteBuffer.wrap(packet)) instanceof DecodeResult.Ok<TcpPacket> ok
                && ok.value().tcp().option(option).isPresent();
    }

    /**
     * The first packet towards the server that carries {@code option} is held 20 ms (well under an
     * RTO) behind its subflow's later ACKs; the copies that follow it are lost, so that only the
     * disordered one can tell the server. Returns the count of such packets sent.
     */
    private static int[] disorderFirst(Pair.Link link, Class<? extends MptcpOption> option) {
        int[] sent = {0};
        link.dropIf = bytes -> carries(bytes, option) && ++sent[0] > 1;
        link.extraDelayNanos = bytes -> carries(bytes, option) ? REORDER_NANOS : 0;
        return sent;
    }

    /** A client with a {@code subflow} endpoint (id 1) on its second address, both ends sending 8 MB at once, joined. */
    private static Exchange joinedBothWays(Pair pair) {
        pair.client.addAddress(CLIENT_SECOND);
        Exchange x = new Exchange(pair, 8_000_000);
        pair.flush();
        pair.driveUntil(() -> {
            x.pump();
            return pair.server.mib().get(MibCounter.MPTCP_JOIN_ACK_RX) == 1 && x.serverSide != null
                    && x.serverSide.read > 1_000_000;
        }, Nanos.ofSeconds(30), Long.MAX_VALUE);
        return x;
    }

    private static Pair pairWithClientSubflowEndpoint(long seed) {
        StackConfig clientConfig = StackConfig.defaults().withMptcp(StackConfig.defaults().mptcp()
                .withEndpoints(List.of(Endpoint.of(CLIENT_SECOND, 1, Endpoint.Flag.SUBFLOW))));
        return new Pair(clientConfig, StackConfig.defaults(), seed);
    }

    @Test
    void bothWaysData_joinedSubflowMarkedBackup_mpPrioAckOvertakenByLaterAcks_serverTakesIt() {
        Pair pair = pairWithClientSubflowEndpoint(1);
        int[] mpPrios = disorderFirst(pair.toServer, MptcpOption.MpPrio.class);
        Exchange x = joinedBothWays(pair);

        pair.client.setEndpointBackup(pair.now(), 1, true);
        x.run(Nanos.ofSeconds(300));

        MptcpPairTest.assertIntact(x, 1);
        assertThat(mpPrios[0]).as("MP_PRIOs the client sent").isPositive();
        assertThat(pair.server.mib().get(MibCounter.MPTCP_MP_PRIO_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.PAWS_OLD_ACK)).as("the MP_PRIO came disordered").isPositive();
    }

    @Test
    void bothWaysData_endpointDeleted_removeAddrAckOvertakenByLaterAcks_serverTakesIt() {
        Pair pair = pairWithClientSubflowEndpoint(2);
        int[] removals = disorderFirst(pair.toServer, MptcpOption.RemoveAddr.class);
        Exchange x = joinedBothWays(pair);

        pair.client.removeEndpoint(pair.now(), 1);
        x.run(Nanos.ofSeconds(300));

        MptcpPairTest.assertIntact(x, 2);
        assertThat(removals[0]).as("REMOVE_ADDRs the client sent").isPositive();
        assertThat(pair.server.mib().get(MibCounter.MPTCP_RM_ADDR)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.PAWS_OLD_ACK)).as("the REMOVE_ADDR came disordered").isPositive();
    }
}
