package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Software segmentation cuts a large segment as Linux's {@code tcp_gso_segment} does. */
class TcpSegmentationTest {
    private static final List<TcpOption> OPTIONS = List.of(new TcpOption.Timestamps(7, 9));

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static List<TcpPacket> cut(IpHeader ip, int flags, byte[] data, int gsoSize, boolean partial) {
        TcpSegment seg = new TcpSegment(40000, 5201, 1000, 77, flags, 512, 0, OPTIONS, ByteBuffer.wrap(data));
        ByteBuffer out = ByteBuffer.allocate(70_000);
        TcpPackets.encode(ip, seg, out, partial);
        out.flip();
        List<TcpPacket> pieces = new ArrayList<>();
        TcpSegmentation.segment(out, gsoSize, ByteBuffer.allocate(70_000), piece -> {
            byte[] copy = new byte[piece.remaining()]; // the piece lives in the scratch buffer
            piece.get(copy);
            DecodeResult<TcpPacket> r = TcpPackets.decode(ByteBuffer.wrap(copy)); // verifies both checksums
            assertThat(r).isInstanceOf(DecodeResult.Ok.class);
            pieces.add(((DecodeResult.Ok<TcpPacket>) r).value());
        });
        return pieces;
    }

    @Test
    void ipv4_partialChecksum_piecesCarryConsecutiveData_finAndPushOnTheLastOnly() throws Exception {
        IpHeader ip = IpHeader.V4.of((Inet4Address) InetAddress.getByName("198.18.1.1"),
                (Inet4Address) InetAddress.getByName("198.18.1.2"), IpHeader.PROTOCOL_TCP);
        byte[] data = payload(3 * 1436 + 100);
        List<TcpPacket> pieces = cut(ip, TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN, data, 1436, true);

        assertThat(pieces).hasSize(4);
        ByteBuffer joined = ByteBuffer.allocate(data.length);
        for (int i = 0; i < pieces.size(); i++) {
            TcpSegment s = pieces.get(i).tcp();
            assertThat(s.seq()).isEqualTo(1000 + i * 1436);
            assertThat(s.ack()).isEqualTo(77);
            assertThat(s.options()).isEqualTo(OPTIONS);
            boolean last = i == pieces.size() - 1;
            assertThat(s.has(TcpFlags.FIN)).isEqualTo(last);
            assertThat(s.has(TcpFlags.PSH)).isEqualTo(last);
            assertThat(s.payloadLength()).isEqualTo(last ? 100 : 1436);
            joined.put(s.payload());
        }
        assertThat(joined.array()).isEqualTo(data);
    }

    @Test
    void ipv6_fullChecksumInput_recomputedPerPiece() throws Exception {
        IpHeader ip = IpHeader.V6.of((Inet6Address) InetAddress.getByName("fd00::1"),
                (Inet6Address) InetAddress.getByName("fd00::2"), IpHeader.PROTOCOL_TCP);
        List<TcpPacket> pieces = cut(ip, TcpFlags.ACK, payload(2 * 1400), 1400, false);
        assertThat(pieces).hasSize(2);
        assertThat(pieces.get(1).tcp().seq()).isEqualTo(2400);
    }

    /** The pieces of {@code out} as byte arrays, cut with or without partial checksums. */
    private static List<byte[]> pieceBytes(ByteBuffer out, int gsoSize, boolean partialOut) {
        List<byte[]> pieces = new ArrayList<>();
        ByteBuffer scratch = ByteBuffer.allocate(70_000);
        TcpSegmentation.segment(out.duplicate(), gsoSize, length -> scratch, piece -> {
            byte[] copy = new byte[piece.remaining()];
            piece.get(copy);
            pieces.add(copy);
        }, partialOut);
        return pieces;
    }

    @Test
    void partialChecksumsOut_eachPieceHoldsItsPseudoHeaderSum_andDiffersFromTheFullCutOnlyThere() throws Exception {
        for (IpHeader ip : List.of(
                IpHeader.V4.of((Inet4Address) InetAddress.getByName("198.18.1.1"),
                        (Inet4Address) InetAddress.getByName("198.18.1.2"), IpHeader.PROTOCOL_TCP),
                IpHeader.V6.of((Inet6Address) InetAddress.getByName("fd00::1"),
                        (Inet6Address) InetAddress.getByName("fd00::2"), IpHeader.PROTOCOL_TCP))) {
            TcpSegment seg = new TcpSegment(40000, 5201, 1000, 77, TcpFlags.ACK | TcpFlags.PSH, 512, 0, OPTIONS,
                    ByteBuffer.wrap(payload(3 * 1400 + 11)));
            ByteBuffer out = ByteBuffer.allocate(70_000);
            TcpPackets.encode(ip, seg, out, true);
            out.flip();

            List<byte[]> full = pieceBytes(out, 1400, false);
            List<byte[]> partial = pieceBytes(out, 1400, true);

            assertThat(partial).hasSameSizeAs(full).hasSize(4);
            int checksumAt = ip.headerLength() + 16;
            for (int i = 0; i < full.size(); i++) {
                byte[] p = partial.get(i);
                assertThat(TcpPackets.decode(ByteBuffer.wrap(p), ChecksumPolicy.VERIFY))
                        .as("%s piece %d", ip, i).isInstanceOf(DecodeResult.Malformed.class);
                assertThat(TcpPackets.decode(ByteBuffer.wrap(p), ChecksumPolicy.ACCEPT_OFFLOAD_PENDING))
                        .as("%s piece %d", ip, i).isInstanceOf(DecodeResult.Ok.class);
                byte[] withFullChecksum = p.clone();
                withFullChecksum[checksumAt] = full.get(i)[checksumAt];
                withFullChecksum[checksumAt + 1] = full.get(i)[checksumAt + 1];
                assertThat(withFullChecksum).as("%s piece %d", ip, i).isEqualTo(full.get(i));
            }
        }
    }
}
