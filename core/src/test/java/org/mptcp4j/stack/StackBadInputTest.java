package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mptcp4j.base.Rng;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.Checksums;
import org.mptcp4j.wire.IcmpCodec;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/**
 * Every refusal of the wire decoder, reaching a stack with a listener: the packet is dropped and
 * counted under its nstat name, nothing is sent, no connection is created, and nothing throws.
 */
class StackBadInputTest {
    private static final int IP = 0;
    private static final int TCP = 20;

    /** A valid SYN from the client to the listening server, as bytes. */
    private static byte[] validSyn() {
        TcpSegment syn = new TcpSegment(40000, Pair.SERVER_PORT, 1234, 0, TcpFlags.SYN, 65535, 0,
                List.of(new TcpOption.Mss(1460)), TcpSegment.EMPTY);
        return TcpPackets.toBytes(IpHeader.V4.of((Inet4Address) Pair.CLIENT_ADDR, (Inet4Address) Pair.SERVER_ADDR,
                IpHeader.PROTOCOL_TCP), syn);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                bad("empty packet", MibCounter.IP_IN_HDR_ERRORS, b -> b.limit(0)),
                bad("IP version 5", MibCounter.IP_IN_HDR_ERRORS, b -> b.put(IP, (byte) 0x55)),
                bad("truncated IPv4 header", MibCounter.IP_IN_HDR_ERRORS, b -> b.limit(12)),
                bad("IHL below 5", MibCounter.IP_IN_HDR_ERRORS, b -> { b.put(IP, (byte) 0x44); fixIp(b); }),
                bad("total length below header", MibCounter.IP_IN_HDR_ERRORS, b -> { b.putShort(IP + 2, (short) 10); fixIp(b); }),
                bad("total length beyond the bytes", MibCounter.IP_IN_HDR_ERRORS, b -> { b.putShort(IP + 2, (short) 900); fixIp(b); }),
                bad("IPv4 header checksum", MibCounter.IP_IN_CSUM_ERRORS, b -> b.put(IP + 10, (byte) (b.get(IP + 10) ^ 1))),
                bad("IPv4 fragment", MibCounter.IP_IN_FRAGMENTS, b -> { b.putShort(IP + 6, (short) 0x2001); fixIp(b); }),
                bad("not TCP", MibCounter.IP_IN_UNKNOWN_PROTOS, b -> { b.put(IP + 9, (byte) 17); fixIp(b); }),
                bad("not our address", MibCounter.IP_IN_ADDR_ERRORS, b -> { b.put(IP + 19, (byte) 99); fixIp(b); fixTcp(b); }),
                bad("TCP shorter than its header", MibCounter.TCP_IN_ERRS, b -> { b.putShort(IP + 2, (short) 30); b.limit(30); fixIp(b); }),
                bad("TCP data offset beyond the segment", MibCounter.TCP_IN_ERRS, b -> { b.put(TCP + 12, (byte) 0xF0); fixTcp(b); }),
                bad("TCP data offset below 5", MibCounter.TCP_IN_ERRS, b -> { b.put(TCP + 12, (byte) 0x30); fixTcp(b); }),
                bad("TCP checksum", MibCounter.TCP_IN_CSUM_ERRORS, b -> b.put(TCP + 16, (byte) (b.get(TCP + 16) ^ 0x40))),
                bad("option length 1", MibCounter.TCP_OPTION_MALFORMED, b -> { b.put(TCP + 21, (byte) 1); fixTcp(b); }),
                bad("option runs past the header", MibCounter.TCP_OPTION_MALFORMED, b -> { b.put(TCP + 21, (byte) 40); fixTcp(b); }));
    }

    private static Arguments bad(String name, MibCounter counter, Consumer<ByteBuffer> mutation) {
        return Arguments.of(name, counter, mutation);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedPacket_droppedAndCounted(String name, MibCounter counter, Consumer<ByteBuffer> mutation) {
        Stack server = new Stack(StackConfig.defaults(), Rng.seeded(1));
        server.addAddress(Pair.SERVER_ADDR);
        server.listen(new java.net.InetSocketAddress(Pair.SERVER_ADDR, Pair.SERVER_PORT), 8);
        ByteBuffer packet = ByteBuffer.wrap(validSyn());
        mutation.accept(packet);
        server.handleInbound(0, packet);
        assertThat(server.mib().get(counter)).as(name).isEqualTo(1);
        assertThat(server.mib().get(MibCounter.TCP_IN_SEGS)).as("never reached TCP").isZero();
        assertThat(server.pollTransmit(0, ByteBuffer.allocate(Stack.MAX_PACKET_BYTES))).isNull();
        assertThat(server.connectionCount()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameMutations_neverThrowAtAnyLength(String name, MibCounter counter, Consumer<ByteBuffer> mutation) {
        mutatedAtEveryLength_neverThrows(validSyn(), mutation);
    }

    /** The valid SYN itself is accepted: the cases above fail only because of their mutation. */
    @org.junit.jupiter.api.Test
    void validSyn_createsHalfOpenConnection() {
        Stack server = new Stack(StackConfig.defaults(), Rng.seeded(1));
        server.addAddress(Pair.SERVER_ADDR);
        server.listen(new java.net.InetSocketAddress(Pair.SERVER_ADDR, Pair.SERVER_PORT), 8);
        server.handleInbound(0, ByteBuffer.wrap(validSyn()));
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.pollTransmit(0, ByteBuffer.allocate(Stack.MAX_PACKET_BYTES))).isNotNull();
    }

    /**
     * A valid ICMP "fragmentation needed" from a router to the server, quoting a segment from the
     * server to the client of a connection the server does not have.
     */
    private static byte[] validIcmp() {
        TcpSegment seg = new TcpSegment(Pair.SERVER_PORT, 40000, 1234, 1, TcpFlags.ACK, 65535, 0, List.of(),
                ByteBuffer.wrap(new byte[1460]));
        byte[] quoted = TcpPackets.toBytes(IpHeader.V4.of((Inet4Address) Pair.SERVER_ADDR,
                (Inet4Address) Pair.CLIENT_ADDR, IpHeader.PROTOCOL_TCP), seg);
        IpHeader ip = IcmpCodec.errorHeader(Pair.CLIENT_ADDR, Pair.SERVER_ADDR);
        ByteBuffer out = ByteBuffer.allocate(IcmpCodec.encodedLength(ip, quoted.length));
        IcmpCodec.encodePacketTooBig(ip, 1280, ByteBuffer.wrap(quoted), out);
        return out.array();
    }

    private static final int ICMP = 20;

    static Stream<Arguments> icmpCases() {
        return Stream.of(
                bad("ICMP for no connection", MibCounter.ICMP_IN_ERRORS, b -> {}),
                bad("ICMP shorter than its header", MibCounter.ICMP_IN_ERRORS, b -> {
                    b.putShort(IP + 2, (short) 27); b.limit(27); fixIp(b); fixIcmp(b); }),
                bad("ICMP checksum", MibCounter.ICMP_IN_CSUM_ERRORS, b -> b.put(ICMP + 9, (byte) (b.get(ICMP + 9) ^ 1))),
                bad("quote shorter than an IP header and 8 bytes", MibCounter.ICMP_IN_ERRORS, b -> {
                    b.putShort(IP + 2, (short) 55); b.limit(55); fixIp(b); fixIcmp(b); }),
                bad("quoted IP version 5", MibCounter.ICMP_IN_ERRORS, b -> { b.put(ICMP + 8, (byte) 0x55); fixIcmp(b); }),
                bad("quoted IHL below 5", MibCounter.ICMP_IN_ERRORS, b -> { b.put(ICMP + 8, (byte) 0x44); fixIcmp(b); }),
                bad("quote of UDP", MibCounter.ICMP_IN_ERRORS, b -> { b.put(ICMP + 8 + 9, (byte) 17); fixIcmp(b); }),
                bad("ICMP not to our address", MibCounter.IP_IN_ADDR_ERRORS, b -> { b.put(IP + 19, (byte) 99); fixIp(b); }),
                bad("ICMP echo request", MibCounter.ICMP_IN_MSGS, b -> { b.put(ICMP, (byte) 8); b.put(ICMP + 1, (byte) 0); fixIcmp(b); }),
                bad("host unreachable", MibCounter.ICMP_IN_DEST_UNREACHS, b -> { b.put(ICMP + 1, (byte) 1); fixIcmp(b); }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("icmpCases")
    void unusableIcmp_droppedAndCounted(String name, MibCounter counter, Consumer<ByteBuffer> mutation) {
        Stack server = new Stack(StackConfig.defaults(), Rng.seeded(1));
        server.addAddress(Pair.SERVER_ADDR);
        server.listen(new java.net.InetSocketAddress(Pair.SERVER_ADDR, Pair.SERVER_PORT), 8);
        ByteBuffer packet = ByteBuffer.wrap(validIcmp());
        mutation.accept(packet);
        server.handleInbound(0, packet);
        assertThat(server.mib().get(counter)).as(name).isEqualTo(1);
        assertThat(server.mib().get(MibCounter.TCP_PMTU_UPDATES)).isZero();
        assertThat(server.mib().get(MibCounter.TCP_IN_SEGS)).as("never reached TCP").isZero();
        assertThat(server.pollTransmit(0, ByteBuffer.allocate(Stack.MAX_PACKET_BYTES))).isNull();
        assertThat(server.connectionCount()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("icmpCases")
    void sameIcmpMutations_neverThrowAtAnyLength(String name, MibCounter counter, Consumer<ByteBuffer> mutation) {
        mutatedAtEveryLength_neverThrows(validIcmp(), mutation);
    }

    /** The mutated packet cut to every length from 0 to whole: the stack never throws nor opens a connection. */
    private static void mutatedAtEveryLength_neverThrows(byte[] valid, Consumer<ByteBuffer> mutation) {
        Stack server = new Stack(StackConfig.defaults(), Rng.seeded(2));
        server.addAddress(Pair.SERVER_ADDR);
        for (int len = 0; len <= valid.length; len++) {
            ByteBuffer packet = ByteBuffer.wrap(valid.clone());
            mutation.accept(packet);
            packet.limit(Math.min(packet.limit(), len));
            server.handleInbound(len, packet);
        }
        assertThat(server.connectionCount()).isZero();
    }

    private static void fixIcmp(ByteBuffer b) {
        b.putShort(ICMP + 2, (short) 0);
        b.putShort(ICMP + 2, (short) Checksums.finish(Checksums.sum(b, ICMP, b.limit() - ICMP, 0)));
    }

    private static void fixIp(ByteBuffer b) {
        b.putShort(IP + 10, (short) 0);
        b.putShort(IP + 10, (short) Checksums.ipv4HeaderChecksum(b, IP, 20));
    }

    /** Recomputes the TCP checksum of an IPv4 packet without IP options (the path's rewrite stays unseen). */
    static void fixTcp(ByteBuffer b) {
        int total = (b.getShort(IP + 2) & 0xFFFF) - 20;
        b.putShort(TCP + 16, (short) 0);
        try {
            InetAddress src = InetAddress.getByAddress(new byte[] {b.get(12), b.get(13), b.get(14), b.get(15)});
            InetAddress dst = InetAddress.getByAddress(new byte[] {b.get(16), b.get(17), b.get(18), b.get(19)});
            int sum = Checksums.pseudoHeaderSum(src, dst, IpHeader.PROTOCOL_TCP, total);
            b.putShort(TCP + 16, (short) Checksums.finish(Checksums.sum(b, TCP, total, sum)));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
