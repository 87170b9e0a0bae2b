package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;

/**
 * With DSS checksums, the MSS of the initial subflow's SYN and SYN-ACK leaves room for the
 * 28-byte DSS of an infinite mapping, which Linux puts on a segment it cut without room for it
 * (the kernel testbed's "Infinite map" stalled on the 1528-byte packet it could not send).
 */
class MptcpInfiniteMapRoomTest {
    private static final int TCP_MSS = StackConfig.defaults().tcpConfig(false).mss();

    /** The MSS options of the SYNs {@code link} carried. */
    private static List<Integer> synMss(Pair.Link link) {
        List<Integer> out = new ArrayList<>();
        link.dropIf = bytes -> {
            if (TcpPackets.decode(ByteBuffer.wrap(bytes)) instanceof DecodeResult.Ok<TcpPacket> ok
                    && ok.value().tcp().has(TcpFlags.SYN)) {
                ok.value().tcp().option(TcpOption.Mss.class).ifPresent(m -> out.add(m.mss()));
            }
            return false;
        };
        return out;
    }

    private static void connect(Pair pair) {
        pair.server.listen(pair.serverAddress(), 8);
        pair.client.connect(pair.now(), null, pair.serverAddress());
        pair.flush();
        pair.driveIdle(Nanos.ofMillis(100));
    }

    @Test
    void clientRequiresChecksums_synAndSynAckLeaveRoomForTheInfiniteMapping() {
        StackConfig checksums = StackConfig.defaults().withMptcp(StackConfig.defaults().mptcp().withChecksumRequired(true));
        Pair pair = new Pair(checksums, StackConfig.defaults(), 1);
        List<Integer> toServer = synMss(pair.toServer);
        List<Integer> toClient = synMss(pair.toClient);

        connect(pair);

        assertThat(toServer).containsExactly(TCP_MSS - 28);
        assertThat(toClient).as("the server learnt of the checksums from the SYN").containsExactly(TCP_MSS - 28);
    }

    @Test
    void noChecksums_theTcpMss() {
        Pair pair = new Pair(StackConfig.defaults(), 2);
        List<Integer> toServer = synMss(pair.toServer);
        List<Integer> toClient = synMss(pair.toClient);

        connect(pair);

        assertThat(toServer).containsExactly(TCP_MSS);
        assertThat(toClient).containsExactly(TCP_MSS);
    }
}
