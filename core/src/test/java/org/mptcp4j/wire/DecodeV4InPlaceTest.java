package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.mptcp4j.base.Rng;

/**
 * A stack's path for each packet ({@link TcpPackets#decodeV4OrNull}, then {@link TcpPackets#v4Header}
 * when a header is needed) gives what the record path ({@link TcpPackets#decode}) gives: the same
 * segment and header for every IPv4 packet it takes, and null exactly for the packets the record
 * path refuses or that are not IPv4, whatever the options, and with bytes of the packet corrupted,
 * the checksums fixed again or not.
 */
class DecodeV4InPlaceTest {

    @Property(tries = 3000, seed = "20261202")
    void decodeV4OrNull_agreesWithDecode(@ForAll("ipHeaders") IpHeader ip, @ForAll("segments") TcpSegment seg, @ForAll long seed,
            @ForAll @IntRange(max = 6) int corruptions, @ForAll boolean fixChecksums, @ForAll @IntRange(max = 5) int headroom,
            @ForAll boolean deviceValidated) {
        Rng rng = Rng.seeded(seed);
        byte[] packet = TcpPackets.toBytes(ip, seg);
        for (int i = 0; i < corruptions; i++) {
            packet[rng.nextInt(packet.length)] ^= (byte) (1 << rng.nextInt(8));
        }
        if (fixChecksums && ip instanceof IpHeader.V4) {
            WireArbitraries.fixChecksums(packet);
        }
        // Bytes before the packet and after it: the decoders must keep to [position, limit).
        ByteBuffer b = ByteBuffer.allocate(headroom + packet.length + headroom);
        b.put(headroom, packet).position(headroom).limit(headroom + packet.length);
        ChecksumPolicy policy = deviceValidated ? ChecksumPolicy.DEVICE_VALIDATED : ChecksumPolicy.VERIFY;

        DecodeResult<TcpPacket> expected = TcpPackets.decode(b, policy);
        TcpSegment inPlace = TcpPackets.decodeV4OrNull(b, policy);

        String why = "seed " + seed + ", " + corruptions + " corruptions";
        boolean takenAsV4 = expected instanceof DecodeResult.Ok<TcpPacket> ok && ok.value().ip() instanceof IpHeader.V4;
        assertThat(inPlace != null).as(why).isEqualTo(takenAsV4);
        if (inPlace != null) {
            TcpPacket p = ((DecodeResult.Ok<TcpPacket>) expected).value();
            assertThat(inPlace).as(why).isEqualTo(p.tcp());
            assertThat(inPlace.payload().position()).as(why).isEqualTo(p.tcp().payload().position());
            assertThat(TcpPackets.v4Header(b)).as(why).isEqualTo(p.ip());
        }
        assertThat(b.position()).isEqualTo(headroom);
        assertThat(b.limit()).isEqualTo(headroom + packet.length);
    }

    @Provide
    Arbitrary<IpHeader> ipHeaders() {
        return WireArbitraries.ipHeader();
    }

    @Provide
    Arbitrary<TcpSegment> segments() {
        return WireArbitraries.segment();
    }
}
