package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mib.MibCounter;

/** What a receiver sees for packets that are slightly wrong in each way the codec checks, and how the encoder lays options out. */
class WireCodecTest {
    private static final Inet4Address A = (Inet4Address) addr("10.0.0.1");
    private static final Inet4Address B = (Inet4Address) addr("10.0.0.2");
    private static final IpHeader.V4 IP = IpHeader.V4.of(A, B, IpHeader.PROTOCOL_TCP);
    private static final TcpSegment ACK = new TcpSegment(1000, 80, 1, 2, TcpFlags.ACK, 100, 0,
            List.of(new TcpOption.Timestamps(7, 8)), ByteBuffer.wrap(new byte[] {1, 2, 3}));

    @Test
    void ipv4_refusals_nameOffsetAndCounter() {
        byte[] ok = TcpPackets.toBytes(IP, ACK);
        assertRefused(new byte[0], 0, MibCounter.IP_IN_HDR_ERRORS);
        assertRefused(java.util.Arrays.copyOf(ok, 19), 0, MibCounter.IP_IN_HDR_ERRORS);
        assertRefused(with(ok, 0, 0x55), 0, MibCounter.IP_IN_HDR_ERRORS);          // version 5
        assertRefused(with(ok, 0, 0x44), 0, MibCounter.IP_IN_HDR_ERRORS);          // IHL 16 bytes
        assertRefused(java.util.Arrays.copyOf(ok, ok.length - 1), 2, MibCounter.IP_IN_HDR_ERRORS); // total length past the data
        assertRefused(with(ok, 8, 63), 10, MibCounter.IP_IN_CSUM_ERRORS);         // TTL changed, checksum not
        assertRefused(fixIpChecksum(with(ok, 6, 0x20)), 6, MibCounter.IP_IN_FRAGMENTS); // MF
        assertRefused(fixIpChecksum(with(ok, 9, IpHeader.PROTOCOL_UDP)), 9, MibCounter.IP_IN_UNKNOWN_PROTOS);
    }

    @Test
    void ipv4_bytesPastTotalLength_areLinkPadding() {
        byte[] ok = TcpPackets.toBytes(IP, ACK);
        byte[] padded = java.util.Arrays.copyOf(ok, ok.length + 6);
        assertThat(TcpPackets.decode(ByteBuffer.wrap(padded))).isEqualTo(TcpPackets.decode(ByteBuffer.wrap(ok)));
    }

    @Test
    void ipv6_hopByHopIsSkipped_fragmentRefused() {
        Inet6Address s = (Inet6Address) addr("2001:db8::1");
        Inet6Address d = (Inet6Address) addr("2001:db8::2");
        byte[] plain = TcpPackets.toBytes(IpHeader.V6.of(s, d, IpHeader.PROTOCOL_TCP), ACK);
        byte[] hbh = new byte[plain.length + 8];
        System.arraycopy(plain, 0, hbh, 0, 40);
        System.arraycopy(plain, 40, hbh, 48, plain.length - 40);
        ByteBuffer b = ByteBuffer.wrap(hbh);
        b.putShort(4, (short) (plain.length - 40 + 8));
        b.put(6, (byte) 0);                                     // next header: hop-by-hop
        b.put(40, (byte) IpHeader.PROTOCOL_TCP).put(41, (byte) 0).put(42, (byte) 1).put(43, (byte) 4); // PadN
        DecodeResult<TcpPacket> r = TcpPackets.decode(b);
        assertThat(r).isInstanceOf(DecodeResult.Ok.class);
        assertThat(((DecodeResult.Ok<TcpPacket>) r).value().tcp()).isEqualTo(ACK);
        b.put(6, (byte) 44);
        assertRefused(hbh, 40, MibCounter.IP_IN_FRAGMENTS);
    }

    @Test
    void tcp_refusals_countFromTheIpHeader() {
        byte[] ok = TcpPackets.toBytes(IP, ACK);
        assertRefused(fixTcpChecksum(with(ok, 32, 0x40)), 32, MibCounter.TCP_IN_ERRS); // data offset 16 bytes
        assertRefused(fixTcpChecksum(with(ok, 32, 0xF0)), 32, MibCounter.TCP_IN_ERRS); // data offset past the segment
        assertRefused(with(ok, 27, 0x55), 36, MibCounter.TCP_IN_CSUM_ERRORS); // seq changed, checksum not
        // Options: NOP NOP TS; the TS length byte (offset 20 + 20 + 3) claims 11 bytes, one past the header.
        assertRefused(fixTcpChecksum(with(ok, 43, 11)), 43, MibCounter.TCP_OPTION_MALFORMED);
        assertRefused(fixTcpChecksum(with(ok, 43, 1)), 43, MibCounter.TCP_OPTION_MALFORMED);
    }

    @Test
    void unknownOptions_andKnownKindsOfWrongLength_areKeptAndSkipped() {
        TcpSegment s = ACK.withOptions(List.of(new TcpOption.Unknown(99, new byte[] {9, 9}), new TcpOption.Unknown(TcpOption.KIND_MSS, new byte[] {5}),
                new TcpOption.Timestamps(1, 2)));
        TcpSegment back = decode(TcpPackets.toBytes(IP, s));
        assertThat(back).isEqualTo(s);
        assertThat(back.option(TcpOption.Mss.class)).isEmpty();
    }

    @Test
    void mptcpOptionOfAWrongLength_isKeptAsUnknownKind30_andItsCodecSaysWhy() {
        byte[] mpPrioOf5 = {30, 5, 0x51, 0, 0};
        TcpSegment s = ACK.withOptions(List.of(new TcpOption.Unknown(30, new byte[] {0x51, 0, 0})));
        TcpSegment back = decode(TcpPackets.toBytes(IP, s));
        assertThat(back.options()).containsExactly(new TcpOption.Unknown(30, new byte[] {0x51, 0, 0}));
        assertThat(MptcpOptionCodec.decode(ByteBuffer.wrap(mpPrioOf5))).isEqualTo(
                DecodeResult.malformed(1, "MP_PRIO of length 5", MibCounter.MPTCP_OPTION_MALFORMED));
    }

    @Test
    void eolEndsTheOptionList() {
        byte[] ok = TcpPackets.toBytes(IP, ACK);
        TcpSegment back = decode(fixTcpChecksum(with(ok, 40, 0)));
        assertThat(back.options()).isEmpty();
    }

    @Test
    void mpCapableWithData_is22BytesWithoutChecksum_24With() {
        MptcpOption.MpCapable noCsum = MptcpOption.MpCapable.ackWithData(1, 5, 6, 100, OptionalInt.empty());
        MptcpOption.MpCapable csum = MptcpOption.MpCapable.ackWithData(0x81, 5, 6, 100, OptionalInt.of(0xBEEF));
        assertThat(hexOf(List.of(noCsum))).isEqualTo("1e16" + "0101" + "0000000000000005" + "0000000000000006" + "0064" + "0101");
        assertThat(hexOf(List.of(csum))).isEqualTo("1e18" + "0181" + "0000000000000005" + "0000000000000006" + "0064" + "beef");
    }

    @Test
    void layout_followsLinux_nopsBeforeTcpOptions_afterMptcpOptions() {
        assertThat(hexOf(List.of(new TcpOption.SackPermitted()))).isEqualTo("01010402");
        assertThat(hexOf(List.of(new TcpOption.WindowScale(7)))).isEqualTo("01030307");
        assertThat(hexOf(List.of(new TcpOption.Timestamps(1, 2), new TcpOption.Sack(List.of(new TcpOption.SackBlock(3, 4))))))
                .isEqualTo("0101080a0000000100000002" + "0101050a0000000300000004");
        assertThat(hexOf(List.of(new MptcpOption.MpPrio(true, OptionalInt.empty())))).isEqualTo("1e035101");
        assertThat(hexOf(List.of(new MptcpOption.RemoveAddr(List.of(1, 2))))).isEqualTo("1e05400102" + "010101");
        assertThat(hexOf(List.of(new MptcpOption.AddAddr(false, 2, addr("192.0.2.1"), OptionalInt.of(8080), OptionalLong.of(1)))))
                .isEqualTo("1e123002c0000201" + "1f90" + "0000000000000001" + "0101");
        assertThat(hexOf(List.of(new TcpOption.Unknown(99, new byte[] {7})))).isEqualTo("63030700");
    }

    @Test
    void packer_mptcpBeforeSack_sackTrimmedToTheRoomLeft() {
        MptcpOption.Dss dss = new MptcpOption.Dss(OptionalLong.of(1), true,
                Optional.of(new MptcpOption.DataSequenceMapping(1, true, 1, 1, OptionalInt.empty())), false);
        TcpOption.Sack sack3 = new TcpOption.Sack(List.of(new TcpOption.SackBlock(1, 2), new TcpOption.SackBlock(3, 4), new TcpOption.SackBlock(5, 6)));
        TcpOption.Timestamps ts = new TcpOption.Timestamps(1, 2);
        // Linux's precedence: timestamps, then MPTCP, then as many SACK blocks as still fit.
        assertThat(TcpOptions.layoutLength(List.of(dss))).isEqualTo(28); // 64-bit data ACK and mapping
        PackResult r = TcpOptionPacker.pack(List.of(ts, dss, sack3));
        assertThat(r.packed()).containsExactly(ts, dss);
        assertThat(r.notFitted()).containsExactly(sack3);
        assertThat(r.lengthBytes()).isEqualTo(40);
        MptcpOption.Dss dataAck = new MptcpOption.Dss(OptionalLong.of(1), false, Optional.empty(), false);
        PackResult trimmed = TcpOptionPacker.pack(List.of(ts, dataAck, sack3)); // 12 + 8 leaves 20: two blocks
        assertThat(trimmed.packed()).containsExactly(ts, dataAck, new TcpOption.Sack(sack3.blocks().subList(0, 2)));
        assertThat(trimmed.lengthBytes()).isEqualTo(40);
        assertThat(TcpOptionPacker.pack(List.of(ts, dss)).allFitted()).isTrue();
        assertThatThrownBy(() -> TcpPackets.toBytes(IP, ACK.withOptions(List.of(ts, sack3, dss))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("40");
    }

    @Test
    void decodeLeavesThePositionAndPayloadIsAReadOnlyView() {
        ByteBuffer b = ByteBuffer.wrap(TcpPackets.toBytes(IP, ACK));
        TcpSegment s = ((DecodeResult.Ok<TcpPacket>) TcpPackets.decode(b)).value().tcp();
        assertThat(b.position()).isZero();
        assertThat(s.payload().isReadOnly()).isTrue();
        assertThat(s.payload()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }

    private static String hexOf(List<TcpOption> options) {
        ByteBuffer b = ByteBuffer.allocate(40);
        int n = TcpOptions.write(options, b, 0);
        assertThat(n).isEqualTo(TcpOptions.layoutLength(options));
        return HexFormat.of().formatHex(b.array(), 0, n);
    }

    private static TcpSegment decode(byte[] packet) {
        DecodeResult<TcpPacket> r = TcpPackets.decode(ByteBuffer.wrap(packet));
        assertThat(r).isInstanceOf(DecodeResult.Ok.class);
        return ((DecodeResult.Ok<TcpPacket>) r).value().tcp();
    }

    private static void assertRefused(byte[] packet, int offset, MibCounter counter) {
        DecodeResult<TcpPacket> r = TcpPackets.decode(ByteBuffer.wrap(packet));
        assertThat(r).isInstanceOfSatisfying(DecodeResult.Malformed.class, m -> {
            assertThat(m.counter()).as("counter of %s", m).isEqualTo(counter);
            assertThat(m.offset()).as("offset of %s", m).isEqualTo(offset);
        });
    }

    private static byte[] with(byte[] b, int at, int value) {
        byte[] c = b.clone();
        c[at] = (byte) value;
        return c;
    }

    private static byte[] fixIpChecksum(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putShort(10, (short) 0);
        b.putShort(10, (short) Checksums.finish(Checksums.sum(b, 0, 20, 0)));
        return p;
    }

    private static byte[] fixTcpChecksum(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putShort(36, (short) 0);
        int pseudo = Checksums.pseudoHeaderSumV4(b.getInt(12), b.getInt(16), IpHeader.PROTOCOL_TCP, p.length - 20);
        b.putShort(36, (short) Checksums.finish(Checksums.sum(b, 20, p.length - 20, pseudo)));
        return p;
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
