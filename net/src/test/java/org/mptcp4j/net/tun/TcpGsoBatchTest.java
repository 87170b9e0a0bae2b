package org.mptcp4j.net.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.wire.Checksums;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/** GSO batches are exactly what Linux segmentation offload turns back into the original segments. */
class TcpGsoBatchTest {
    private static final Inet4Address SRC = v4("198.18.1.1");
    private static final Inet4Address DST = v4("198.18.1.2");
    private static final int MSS = 1448;

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment memory = arena.allocate(TcpGsoBatch.VNET_HDR_LEN + 65_536);
    private final TcpGsoBatch batch = new TcpGsoBatch(memory);

    @Test
    void threeBackToBackSegments_becomeOneGsoPacket_withPartialChecksumAndVirtioHeader() {
        ByteBuffer a = segment(1000, MSS, TcpFlags.ACK, 77);
        ByteBuffer b = segment(1000 + MSS, MSS, TcpFlags.ACK, 77);
        ByteBuffer c = segment(1000 + 2 * MSS, 500, TcpFlags.ACK | TcpFlags.PSH, 77);
        batch.start(a);
        assertThat(batch.tryAppend(b)).isTrue();
        assertThat(batch.tryAppend(c)).isTrue();
        int total = batch.finish();

        ByteBuffer out = memory.asByteBuffer();
        int tcpHeader = 32; // 20 + timestamps (10) padded to 12
        assertThat(total).isEqualTo(TcpGsoBatch.VNET_HDR_LEN + 20 + tcpHeader + 2 * MSS + 500);
        assertThat(out.get(0)).as("VIRTIO_NET_HDR_F_NEEDS_CSUM").isEqualTo((byte) 1);
        assertThat(out.get(1)).as("VIRTIO_NET_HDR_GSO_TCPV4").isEqualTo((byte) 1);
        assertThat(le16(out, 2)).as("hdr_len").isEqualTo(20 + tcpHeader);
        assertThat(le16(out, 4)).as("gso_size").isEqualTo(MSS);
        assertThat(le16(out, 6)).as("csum_start").isEqualTo(20);
        assertThat(le16(out, 8)).as("csum_offset").isEqualTo(16);

        ByteBuffer ip = out.slice(TcpGsoBatch.VNET_HDR_LEN, total - TcpGsoBatch.VNET_HDR_LEN);
        assertThat(ip.getShort(2) & 0xffff).isEqualTo(ip.limit());
        assertThat(Checksums.verifies(Checksums.sum(ip, 0, 20, 0))).as("IPv4 header checksum").isTrue();
        assertThat(ip.get(20 + 13)).as("flags of the last segment").isEqualTo((byte) (TcpFlags.ACK | TcpFlags.PSH));
        // CHECKSUM_PARTIAL: summing from csum_start to the end, field included, gives the real checksum.
        int tcpLength = ip.limit() - 20;
        int completed = Checksums.finish(Checksums.sum(ip, 20, tcpLength, 0));
        ByteBuffer copy = ByteBuffer.allocate(ip.limit()).put(ip.duplicate()).flip();
        copy.putShort(36, (short) 0);
        int expected = Checksums.finish(Checksums.sum(copy, 20, tcpLength,
                Checksums.pseudoHeaderSum(SRC, DST, 6, tcpLength)));
        assertThat(completed).isEqualTo(expected);
        for (int i = 0; i < 2 * MSS + 500; i++) {
            assertThat(ip.get(20 + tcpHeader + i)).isEqualTo(payloadByte(1000 + i));
        }
        assertThat(batch.coalesced()).isEqualTo(2);
    }

    @Test
    void segmentsThatSegmentationWouldNotReproduce_areNotMerged() {
        batch.start(segment(1000, MSS, TcpFlags.ACK, 77));
        assertThat(batch.tryAppend(segment(1000 + MSS, MSS, TcpFlags.ACK, 78))).as("other timestamps").isFalse();
        assertThat(batch.tryAppend(segment(1000 + 2 * MSS, MSS, TcpFlags.ACK, 77))).as("a gap").isFalse();
        assertThat(batch.tryAppend(segment(1000 + MSS, MSS, TcpFlags.ACK | TcpFlags.FIN, 77))).as("FIN").isFalse();
        assertThat(batch.tryAppend(segment(1000 + MSS, 100, TcpFlags.ACK, 77))).as("short segment").isTrue();
        assertThat(batch.tryAppend(segment(1000 + MSS + 100, 100, TcpFlags.ACK, 77))).as("after a short one").isFalse();
        batch.finish();

        batch.start(segment(5000, 0, TcpFlags.SYN, 77));
        assertThat(batch.tryAppend(segment(5001, MSS, TcpFlags.ACK, 77))).as("after a SYN").isFalse();
        int lone = batch.finish();
        ByteBuffer out = memory.asByteBuffer();
        assertThat(out.getLong(0)).as("a lone packet has an all-zero virtio header").isZero();
        assertThat(TcpPackets.decode(out.slice(TcpGsoBatch.VNET_HDR_LEN, lone - TcpGsoBatch.VNET_HDR_LEN)))
                .as("and goes out unchanged").isInstanceOf(org.mptcp4j.wire.DecodeResult.Ok.class);
    }

    private static ByteBuffer segment(int seq, int payloadLength, int flags, int tsVal) {
        byte[] payload = new byte[payloadLength];
        for (int i = 0; i < payloadLength; i++) {
            payload[i] = payloadByte(seq + i);
        }
        TcpSegment s = new TcpSegment(40000, 5201, seq, 99, flags, 1000, 0,
                List.of(new TcpOption.Timestamps(tsVal, 5)), ByteBuffer.wrap(payload));
        return ByteBuffer.wrap(TcpPackets.toBytes(IpHeader.V4.of(SRC, DST, 6), s));
    }

    private static byte payloadByte(int seq) {
        return (byte) (seq * 7 + 3);
    }

    private static int le16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
    }

    private static Inet4Address v4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
