package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.mptcp4j.base.Rng;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.pcap.PcapReader;

/**
 * The paths every packet takes agree with the general ones they shortcut: IPv4 decoding in place
 * with {@link IpCodec#decode} followed by {@link TcpCodec#decode} (value, or the same refusal at
 * the same offset), segmentation's incremental checksums with checksums summed over each piece,
 * and the carry folding with folding until no carry is left.
 */
class WireFastPathTest {
    private static final List<PcapReader.Packet> KERNEL = LinuxVectors.packets();

    @Property(tries = 2000, seed = "791")
    void ipv4Decode_inPlace_equalsIpCodecThenTcpCodec(@ForAll @IntRange(min = 0, max = 77) int frame, @ForAll long mutationSeed,
            @ForAll @IntRange(max = 3) int policyIndex) {
        Rng rng = Rng.seeded(mutationSeed);
        byte[] bytes = KERNEL.get(frame).ip().clone();
        int mutations = rng.nextInt(4);
        for (int i = 0; i < mutations && bytes.length > 33; i++) {
            int at = rng.nextInt(Math.min(bytes.length, 80));
            switch (rng.nextInt(3)) {
                case 0 -> bytes[at] = (byte) rng.nextInt(256);
                case 1 -> bytes[at] = (byte) (bytes[at] ^ (1 << rng.nextInt(8)));
                default -> bytes = java.util.Arrays.copyOf(bytes, rng.nextInt(bytes.length + 1));
            }
        }
        if (rng.nextInt(3) != 0) {
            WireArbitraries.fixChecksums(bytes);
        }
        ChecksumPolicy policy = policyIndex < 3 ? ChecksumPolicy.values()[policyIndex] : ChecksumPolicy.VERIFY;
        assertThat(TcpPackets.decode(ByteBuffer.wrap(bytes), policy)).isEqualTo(general(bytes, policy));
    }

    @Property(tries = 1000, seed = "1")
    void ipv4Decode_ofRandomBytes_equalsIpCodecThenTcpCodec(@ForAll @Size(max = 100) byte[] bytes) {
        if (bytes.length > 0) {
            bytes[0] = (byte) (0x45 + (bytes[0] & 3)); // IPv4, mostly without options
        }
        assertThat(TcpPackets.decode(ByteBuffer.wrap(bytes))).isEqualTo(general(bytes, ChecksumPolicy.VERIFY));
    }

    /** The general route: the IP packet, then the segment in its payload, refusal offsets counted from the IP header. */
    private static DecodeResult<TcpPacket> general(byte[] bytes, ChecksumPolicy policy) {
        DecodeResult<IpPacket> ip = IpCodec.decode(ByteBuffer.wrap(bytes));
        if (ip instanceof DecodeResult.Malformed<IpPacket> m) {
            return DecodeResult.malformed(m.offset(), m.reason(), m.counter());
        }
        IpPacket p = ((DecodeResult.Ok<IpPacket>) ip).value();
        if (p.header().protocol() != IpHeader.PROTOCOL_TCP) {
            return DecodeResult.malformed(9, "IP protocol " + p.header().protocol() + " is not TCP", MibCounter.IP_IN_UNKNOWN_PROTOS);
        }
        DecodeResult<TcpSegment> tcp = TcpCodec.decode(p.payload(), p.header().source(), p.header().destination(), policy,
                p.header().headerLength());
        if (tcp instanceof DecodeResult.Malformed<TcpSegment> m) {
            return DecodeResult.malformed(m.offset(), m.reason(), m.counter());
        }
        return DecodeResult.ok(new TcpPacket(p.header(), ((DecodeResult.Ok<TcpSegment>) tcp).value()));
    }

    /**
     * Each piece equals the input cut by hand (headers repeated, sequence number, flags, lengths and
     * identification set) with both checksums summed over the whole piece.
     */
    @Property(tries = 300, seed = "1624")
    void segmentation_incrementalChecksums_equalChecksumsOverEachPiece(@ForAll("ipHeaders") IpHeader ip,
            @ForAll("segments") TcpSegment seg, @ForAll @IntRange(min = 1, max = 1500) int gsoSize, @ForAll boolean partial) {
        ByteBuffer packet = ByteBuffer.allocate(TcpPackets.encodedLength(ip, seg) + 3);
        packet.position(3); // not at index 0, as a driver's buffer may hold it
        TcpPackets.encode(ip, seg, packet, partial);
        packet.flip().position(3);
        byte[] whole = new byte[packet.remaining()];
        packet.get(3, whole);
        int ipLength = ip.headerLength();
        int headers = ipLength + ((whole[ipLength + 12] & 0xF0) >>> 4) * 4;
        int payload = whole.length - headers;
        List<byte[]> pieces = new ArrayList<>();
        TcpSegmentation.segment(packet, gsoSize, ByteBuffer.allocate(headers + gsoSize), piece -> {
            byte[] copy = new byte[piece.remaining()];
            piece.get(copy);
            pieces.add(copy);
        });
        assertThat(pieces).hasSize(Math.max(1, (payload + gsoSize - 1) / gsoSize));
        for (int i = 0; i < pieces.size(); i++) {
            int offset = i * gsoSize;
            int chunk = Math.min(gsoSize, payload - offset);
            ByteBuffer expected = ByteBuffer.allocate(headers + chunk);
            expected.put(0, whole, 0, headers).put(headers, whole, headers + offset, chunk);
            expected.putInt(ipLength + 4, ByteBuffer.wrap(whole).getInt(ipLength + 4) + offset);
            boolean last = i == pieces.size() - 1;
            int flags = (whole[ipLength + 13] & 0xFF) & ~((last ? 0 : TcpFlags.FIN | TcpFlags.PSH) | (i == 0 ? 0 : 0x80));
            expected.put(ipLength + 13, (byte) flags);
            int pseudo;
            if (ip instanceof IpHeader.V4) {
                expected.putShort(2, (short) (headers + chunk));
                expected.putShort(4, (short) (ByteBuffer.wrap(whole).getShort(4) + i));
                expected.putShort(10, (short) 0);
                expected.putShort(10, (short) Checksums.finish(Checksums.sum(expected, 0, ipLength, 0)));
                pseudo = Checksums.pseudoHeaderSumV4(expected.getInt(12), expected.getInt(16), IpHeader.PROTOCOL_TCP, headers + chunk - ipLength);
            } else {
                expected.putShort(4, (short) (headers + chunk - ipLength));
                pseudo = Checksums.pseudoHeaderSum(ip.source(), ip.destination(), IpHeader.PROTOCOL_TCP, headers + chunk - ipLength);
            }
            expected.putShort(ipLength + 16, (short) 0);
            expected.putShort(ipLength + 16, (short) Checksums.finish(Checksums.sum(expected, ipLength, headers + chunk - ipLength, pseudo)));
            assertThat(pieces.get(i)).as("piece %d", i).isEqualTo(expected.array());
        }
    }

    /** The four-step fold against folding until no carry is left, through every public entry that folds. */
    @Property(tries = 3000, seed = "2")
    void fold_inFourSteps_equalsFoldingUntilNoCarry(@ForAll int sum, @ForAll int value) {
        assertThat(Checksums.fold(sum)).isEqualTo(loopFold(sum & 0xFFFF_FFFFL));
        if (sum >= 0) {
            assertThat(Checksums.add32(sum, value)).isEqualTo(loopFold((long) sum + (value >>> 16) + (value & 0xFFFF)));
            assertThat(Checksums.add16(sum, value)).isEqualTo(loopFold((long) sum + (value & 0xFFFF)));
            int length = sum ^ value;
            assertThat(Checksums.pseudoHeaderSumV4(sum, value, 6, length)).isEqualTo(loopFold((long) (sum >>> 16) + (sum & 0xFFFF)
                    + (value >>> 16) + (value & 0xFFFF) + (length >>> 16) + (length & 0xFFFF) + 6));
        }
    }

    /**
     * A megabyte of 0xff sums to more than 2^48 before folding, so all four steps are needed; words
     * of 0xffff are one's complement zeros, so the sum is the starting sum (0xffff for 0).
     */
    @Property(tries = 5, seed = "5")
    void sum_ofAMegabyteOfOnes_isTheStartingSum(@ForAll @IntRange(min = 0, max = 0xFFFF) int start) {
        byte[] ones = new byte[1 << 20];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        int expected = start == 0 ? 0xFFFF : start;
        assertThat(Checksums.sum(ones, 0, ones.length, start)).isEqualTo(expected);
        assertThat(Checksums.sum(ByteBuffer.wrap(ones).asReadOnlyBuffer(), 0, ones.length, start)).isEqualTo(expected);
    }

    private static int loopFold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    /** Headers segmentation takes: IPv4 without options, IPv6 without extension headers. */
    @Provide
    Arbitrary<IpHeader> ipHeaders() {
        return WireArbitraries.ipHeader().map(h -> h instanceof IpHeader.V4 v
                ? new IpHeader.V4(v.source(), v.destination(), IpHeader.PROTOCOL_TCP, v.ttl(), v.tos(), v.identification(), v.dontFragment(), 20)
                : h);
    }

    /** Segments with payloads of up to 6000 bytes, odd lengths included, none of them all zero. */
    @Provide
    Arbitrary<TcpSegment> segments() {
        return net.jqwik.api.Combinators.combine(WireArbitraries.segment(), Arbitraries.integers().between(0, 6000))
                .as((s, n) -> {
                    byte[] data = new byte[n];
                    for (int i = 0; i < n; i++) {
                        data[i] = (byte) (i * 31 + n);
                    }
                    return s.withPayload(ByteBuffer.wrap(data));
                });
    }
}
