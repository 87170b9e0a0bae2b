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
 * TunKernelMptcpInteropTest's MP_PRIO case: TcpExtPAWSEstabRejected 3, MPTcpExtMPPrioRx 0). Its
 * TSval is older than TS.Recent, so PAWS fails it, yet the signal is taken: it is sent once.
 */
class MptcpDisorderedAckTest {
    private static final long REORDER_NANOS = Nanos.ofMillis(20);

    private static boolean carriesMpPrio(byte[] packet) {
        return TcpPackets.decode(ByteBuffer.wrap(packet)) instanceof DecodeResult.Ok<TcpPacket> ok
                && ok.value().tcp().option(MptcpOption.MpPrio.class).isPresent();
    }

    @Test
    void bothWaysData_joinedSubflowMarkedBackup_mpPrioAckOvertakenByLaterAcks_serverTakesIt() {
        StackConfig clientConfig = StackConfig.defaults().withMptcp(StackConfig.defaults().mptcp()
                .withEndpoints(List.of(Endpoint.of(CLIENT_SECOND, 1, Endpoint.Flag.SUBFLOW))));
        Pair pair = new Pair(clientConfig, StackConfig.defaults(), 1);
        pair.client.addAddress(CLIENT_SECOND);
        // The first MP_PRIO is held 20 ms (well under an RTO) behind the subflow's later ACKs; the
        // copies that follow it are lost, so that only the disordered one can tell the server.
        int[] mpPrios = {0};
        pair.toServer.dropIf = bytes -> carriesMpPrio(bytes) && ++mpPrios[0] > 1;
        pair.toServer.extraDelayNanos = bytes -> carriesMpPrio(bytes) ? REORDER_NANOS : 0;
        Exchange x = new Exchange(pair, 8_000_000);
        pair.flush();
        pair.driveUntil(() -> {
            x.pump();
            return pair.server.mib().get(MibCounter.MPTCP_JOIN_ACK_RX) == 1 && x.serverSide != null
                    && x.serverSide.read > 1_000_000;
        }, Nanos.ofSeconds(30), Long.MAX_VALUE);

        pair.client.setEndpointBackup(pair.now(), 1, true);
        x.run(Nanos.ofSeconds(300));

        MptcpPairTest.assertIntact(x, 1);
        assertThat(mpPrios[0]).as("MP_PRIOs the client sent").isPositive();
        assertThat(pair.server.mib().get(MibCounter.PAWS_OLD_ACK)).as("the MP_PRIO came disordered").isPositive();
        assertThat(pair.server.mib().get(MibCounter.MPTCP_MP_PRIO_RX)).isEqualTo(1);
    }
}
