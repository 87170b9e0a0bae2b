package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.wire.ChecksumPolicy;
import org.mptcp4j.wire.Checksums;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.TcpPackets;

/**
 * Checksum offload ({@link Stack#setChecksumOffload}): every packet the stack writes, SYN, data,
 * retransmissions and pure ACKs alike, carries in its TCP checksum field only the
 * pseudo-header sum, as an skb in Linux's {@code CHECKSUM_PARTIAL} does; the device (here the
 * {@link Pair}'s wire) completes it, and the peer, which verifies, gets the stream intact.
 */
class ChecksumOffloadTest {
    /** What the device does before the bytes leave: sums the segment with the partial field in place. */
    private static byte[] completed(byte[] packet) {
        int tcp = (packet[0] & 0xF0) == 0x40 ? (packet[0] & 0x0F) * 4 : 40;
        int field = Checksums.finish(Checksums.sum(packet, tcp, packet.length - tcp, 0));
        byte[] out = packet.clone();
        out[tcp + 16] = (byte) (field >>> 8);
        out[tcp + 17] = (byte) field;
        return out;
    }

    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {false, true})
    void everyPacketLeavesPartial_theDeviceCompletesIt_theStreamArrivesIntact(boolean mptcp) {
        Pair pair = new Pair(StackConfig.defaults().withMptcpEnabled(mptcp), 7);
        pair.client.setChecksumOffload(true);
        long[] partial = new long[1];
        long[] notPartial = new long[1];
        pair.toServer.rewrite = bytes -> {
            boolean verifies = TcpPackets.decode(ByteBuffer.wrap(bytes), ChecksumPolicy.VERIFY) instanceof DecodeResult.Ok;
            boolean pending = TcpPackets.decode(ByteBuffer.wrap(bytes), ChecksumPolicy.ACCEPT_OFFLOAD_PENDING)
                    instanceof DecodeResult.Ok;
            if (pending && !verifies) {
                partial[0]++;
            } else {
                notPartial[0]++;
            }
            return completed(bytes);
        };
        pair.toServer.lossRate = 0.01;

        Transfer t = new Transfer(pair, 4 << 20, 7).run(Nanos.ofSeconds(120));

        assertThat(t.receivedSha256()).isEqualTo(t.sentSha256());
        assertThat(partial[0]).as("packets with the pseudo-header sum only").isGreaterThan((4 << 20) / 1500);
        assertThat(notPartial[0]).as("packets whose checksum was complete or wrong").isZero();
    }
}
