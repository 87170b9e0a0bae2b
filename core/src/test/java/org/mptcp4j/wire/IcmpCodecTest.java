package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Rng;
import org.mptcp4j.mib.MibCounter;

/**
 * ICMP "fragmentation needed" (RFC 1191) and ICMPv6 "packet too big" (RFC 8201) as a router writes
 * them and a host reads them; every damaged message is refused with its counter, never thrown.
 */
class IcmpCodecTest {
    private static final Inet4Address HOST = (Inet4Address) addr("10.0.0.1");
    private static final Inet4Address PEER = (Inet4Address) addr("10.9.0.1");
    private static final Inet4Address ROUTER = (Inet4Address) addr("10.0.0.254");
    private static final Inet6Address HOST6 = (Inet6Address) addr("fd00::1");
    private static final Inet6Address PEER6 = (Inet6Address) addr("fd09::1");
    private static final Inet6Address ROUTER6 = (Inet6Address) addr("fd00::fe");

    /** A full-sized data segment from HOST to PEER: 1500 bytes on the wire. */
    private static byte[] segment(IpHeader ip, int seq) {
        TcpSegment seg = new TcpSegment(40000, 5001, seq, 77, TcpFlags.ACK | TcpFlags.PSH, 500, 0,
                List.of(new TcpOption.Timestamps(1, 2)), ByteBuffer.wrap(new byte[1448 - (ip.headerLength() - 20)]));
        return TcpPackets.toBytes(ip, seg);
    }

    private static byte[] tooBig(IpHeader outer, int mtu, byte[] original) {
        ByteBuffer out = ByteBuffer.allocate(IcmpCodec.encodedLength(outer, original.length));
        int n = IcmpCodec.encodePacketTooBig(outer, mtu, ByteBuffer.wrap(original), out);
        assertThat(n).isEqualTo(out.capacity());
        return out.array();
    }

    @Test
    void fragmentationNeeded_roundTrips_quotingAs576BytesAllow() {
        byte[] original = segment(IpHeader.V4.of(HOST, PEER, IpHeader.PROTOCOL_TCP), 0xFFFF_FF00);
        assertThat(original).hasSize(1500);
        byte[] icmp = tooBig(IcmpCodec.errorHeader(ROUTER, HOST), 1280, original);

        assertThat(icmp).hasSize(576); // RFC 1812 4.3.2.3
        assertThat(icmp[20]).isEqualTo((byte) 3);
        assertThat(icmp[21]).isEqualTo((byte) 4);
        IcmpMessage.PacketTooBig m = (IcmpMessage.PacketTooBig) ok(icmp);
        assertThat(m.ip().source()).isEqualTo(ROUTER);
        assertThat(m.ip().destination()).isEqualTo(HOST);
        assertThat(m.mtu()).isEqualTo(1280);
        IcmpMessage.Quote q = m.quoted();
        assertThat(q.header().source()).isEqualTo(HOST);
        assertThat(q.header().destination()).isEqualTo(PEER);
        assertThat(q.header().protocol()).isEqualTo(IpHeader.PROTOCOL_TCP);
        assertThat(((IpHeader.V4) q.header()).dontFragment()).isTrue();
        assertThat(q.packetLength()).isEqualTo(1500);
        assertThat(q.sourcePort()).isEqualTo(40000);
        assertThat(q.destinationPort()).isEqualTo(5001);
        assertThat(q.sequence()).isEqualTo(0xFFFF_FF00);
    }

    @Test
    void packetTooBig_roundTrips_quotingAs1280BytesAllow() {
        byte[] original = segment(IpHeader.V6.of(HOST6, PEER6, IpHeader.PROTOCOL_TCP), 12345);
        byte[] icmp = tooBig(IcmpCodec.errorHeader(ROUTER6, HOST6), 1280, original);

        assertThat(icmp).hasSize(1280); // RFC 4443 2.4 (c)
        assertThat(icmp[40]).isEqualTo((byte) 2);
        IcmpMessage.PacketTooBig m = (IcmpMessage.PacketTooBig) ok(icmp);
        assertThat(m.mtu()).isEqualTo(1280);
        assertThat(m.quoted().header().source()).isEqualTo(HOST6);
        assertThat(m.quoted().packetLength()).isEqualTo(1500);
        assertThat(m.quoted().sequence()).isEqualTo(12345);
    }

    @Test
    void icmpv6Checksum_coversThePseudoHeader() {
        byte[] icmp = tooBig(IcmpCodec.errorHeader(ROUTER6, HOST6), 1280,
                segment(IpHeader.V6.of(HOST6, PEER6, IpHeader.PROTOCOL_TCP), 1));
        icmp[39] ^= 1; // the outer destination: no IPv6 header checksum, only the pseudo-header catches it

        assertRefused(icmp, 42, MibCounter.ICMP6_IN_CSUM_ERRORS);
    }

    @Test
    void damagedMessages_areRefusedWithTheirCounter() {
        byte[] original = segment(IpHeader.V4.of(HOST, PEER, IpHeader.PROTOCOL_TCP), 1);
        byte[] icmp = tooBig(IcmpCodec.errorHeader(ROUTER, HOST), 1280, original);

        byte[] csum = icmp.clone();
        csum[30] ^= 0x10;
        assertRefused(csum, 22, MibCounter.ICMP_IN_CSUM_ERRORS);
        assertRefused(truncated(icmp, 27), 20, MibCounter.ICMP_IN_ERRORS);       // 7 bytes of ICMP
        assertRefused(truncated(icmp, 20 + 8 + 27), 28, MibCounter.ICMP_IN_ERRORS); // quote 1 byte short
        byte[] version = icmp.clone();
        version[28] = 0x55;
        fixIcmp(version, 20);
        assertRefused(version, 28, MibCounter.ICMP_IN_ERRORS);
        byte[] udp = icmp.clone();
        udp[9] = 17;
        fixIpv4(udp);
        assertRefused(udp, 9, MibCounter.IP_IN_UNKNOWN_PROTOS);
    }

    @Test
    void otherMessages_areReadByTypeAndCodeOnly() {
        byte[] icmp = tooBig(IcmpCodec.errorHeader(ROUTER, HOST), 1280,
                segment(IpHeader.V4.of(HOST, PEER, IpHeader.PROTOCOL_TCP), 1));
        icmp[21] = 1; // host unreachable
        fixIcmp(icmp, 20);

        assertThat(ok(icmp)).isEqualTo(new IcmpMessage.Other(IcmpCodec.errorHeader(ROUTER, HOST), 3, 1));
    }

    @Test
    void oldRoutersMtuZero_isDecodedAsZero() {
        byte[] icmp = tooBig(IcmpCodec.errorHeader(ROUTER, HOST), 0,
                segment(IpHeader.V4.of(HOST, PEER, IpHeader.PROTOCOL_TCP), 1));
        assertThat(((IcmpMessage.PacketTooBig) ok(icmp)).mtu()).isZero();
    }

    @Test
    void encoder_refusesAHeaderOfTheWrongProtocol() {
        ByteBuffer original = ByteBuffer.wrap(segment(IpHeader.V4.of(HOST, PEER, IpHeader.PROTOCOL_TCP), 1));
        assertThatIllegalArgumentException().isThrownBy(() -> IcmpCodec.encodePacketTooBig(
                IpHeader.V4.of(ROUTER, HOST, IpHeader.PROTOCOL_TCP), 1280, original, ByteBuffer.allocate(2000)));
        assertThatIllegalArgumentException().isThrownBy(() -> IcmpCodec.errorHeader(ROUTER, HOST6));
    }

    /** Every truncation and 2000 random byte flips of both messages: a typed result, never an exception. */
    @Test
    void anyDamage_neverThrows() {
        Rng rng = Rng.seeded(20261130);
        for (byte[] valid : List.of(
                tooBig(IcmpCodec.errorHeader(ROUTER, HOST), 1280, segment(IpHeader.V4.of(HOST, PEER, 6), 1)),
                tooBig(IcmpCodec.errorHeader(ROUTER6, HOST6), 1280, segment(IpHeader.V6.of(HOST6, PEER6, 6), 1)))) {
            for (int len = 0; len <= valid.length; len++) {
                assertThat(IcmpCodec.decode(ByteBuffer.wrap(valid, 0, len))).isNotNull();
            }
            for (int i = 0; i < 2000; i++) {
                byte[] b = valid.clone();
                int at = rng.nextInt(Math.min(b.length, 120));
                b[at] = (byte) rng.nextInt(256);
                if (b.length > 20 && (b[0] & 0xF0) == 0x40) {
                    fixIpv4(b);
                }
                fixIcmp(b, (b[0] & 0xF0) == 0x40 ? 20 : 40);
                assertThat(IcmpCodec.decode(ByteBuffer.wrap(b))).isNotNull();
            }
        }
    }

    private static IcmpMessage ok(byte[] packet) {
        DecodeResult<IcmpMessage> r = IcmpCodec.decode(ByteBuffer.wrap(packet));
        assertThat(r).isInstanceOf(DecodeResult.Ok.class);
        return ((DecodeResult.Ok<IcmpMessage>) r).value();
    }

    private static void assertRefused(byte[] packet, int offset, MibCounter counter) {
        DecodeResult<IcmpMessage> r = IcmpCodec.decode(ByteBuffer.wrap(packet));
        assertThat(r).isInstanceOf(DecodeResult.Malformed.class);
        DecodeResult.Malformed<IcmpMessage> m = (DecodeResult.Malformed<IcmpMessage>) r;
        assertThat(m.counter()).as("%s", m).isEqualTo(counter);
        assertThat(m.offset()).as("%s", m).isEqualTo(offset);
    }

    /** The first {@code length} bytes, with the IPv4 total length and checksums made to match. */
    private static byte[] truncated(byte[] v4, int length) {
        byte[] b = Arrays.copyOf(v4, length);
        b[2] = (byte) (length >>> 8);
        b[3] = (byte) length;
        fixIpv4(b);
        fixIcmp(b, 20);
        return b;
    }

    private static void fixIpv4(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putShort(10, (short) Checksums.ipv4HeaderChecksum(bb, 0, 20));
    }

    /** Recomputes the ICMP checksum (IPv4; for IPv6 with the pseudo-header) of what the buffer holds. */
    private static void fixIcmp(byte[] b, int at) {
        if (b.length < at + 4) {
            return;
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putShort(at + 2, (short) 0);
        int len = b.length - at;
        int sum = Checksums.sum(bb, at, len, 0);
        if (at == 40) {
            sum += Checksums.sum(Arrays.copyOfRange(b, 8, 40), 0) + len + IcmpMessage.PROTOCOL_ICMPV6;
        }
        bb.putShort(at + 2, (short) Checksums.finish(sum));
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
