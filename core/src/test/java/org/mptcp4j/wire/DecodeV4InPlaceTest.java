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
 * A stack's path for each packet ({@link TcpPackets#decodeV4OrNull}, its timestamps and DSS
 * decoded into a reused {@link IncomingOptions}) gives what the record path ({@link TcpPackets#decode},
 * then {@link IncomingOptions#take}) gives: the same segment, the same timestamps and DSS, and the
 * addresses of the same header for every IPv4 packet it takes, and null exactly for the packets
 * the record path refuses or that are not IPv4. Random options (several of a kind among them), with
 * bytes of the packet corrupted and the checksums fixed again or not.
 */
class DecodeV4InPlaceTest {

    /** One holder for every try, as a stack has: what a packet leaves in it must not show in the next. */
    private final IncomingOptions reused = new IncomingOptions();

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
        TcpSegment inPlace = TcpPackets.decodeV4OrNull(b, policy, reused);

        String why = "seed " + seed + ", " + corruptions + " corruptions";
        boolean takenAsV4 = expected instanceof DecodeResult.Ok<TcpPacket> ok && ok.value().ip() instanceof IpHeader.V4;
        assertThat(inPlace != null).as(why).isEqualTo(takenAsV4);
        if (inPlace != null) {
            TcpPacket p = ((DecodeResult.Ok<TcpPacket>) expected).value();
            IncomingOptions fields = new IncomingOptions();
            TcpSegment rest = fields.take(p.tcp());
            assertThat(inPlace).as(why).isEqualTo(rest);
            assertThat(inPlace.payload().position()).as(why).isEqualTo(p.tcp().payload().position());
            assertThat(reused.timestampsOption()).as(why).isEqualTo(fields.timestampsOption());
            assertThat(reused.dssOption()).as(why).isEqualTo(fields.dssOption());
            IpHeader.V4 v4 = (IpHeader.V4) p.ip();
            assertThat(b.getInt(headroom + 12)).as(why).isEqualTo(Checksums.v4Int(v4.source()));
            assertThat(b.getInt(headroom + 16)).as(why).isEqualTo(Checksums.v4Int(v4.destination()));
        }
        assertThat(b.position()).isEqualTo(headroom);
        assertThat(b.limit()).isEqualTo(headroom + packet.length);
    }

    /** A segment taken apart and put together again is the segment (its options in their order). */
    @Property(tries = 1000, seed = "20261202")
    void take_keepsTheOtherOptionsInOrder(@ForAll("segments") TcpSegment seg) {
        IncomingOptions fields = new IncomingOptions();
        TcpSegment rest = fields.take(seg);
        java.util.List<TcpOption> options = new java.util.ArrayList<>(rest.options());
        int ts = fields.hasTimestamps() ? seg.options().indexOf(fields.timestampsOption()) : -1;
        int dss = fields.hasDss() ? seg.options().indexOf(fields.dssOption()) : -1;
        // The first of each kind came out, from where it was.
        if (ts >= 0 && (dss < 0 || ts < dss)) {
            options.add(ts, fields.timestampsOption());
            ts = -1;
        }
        if (dss >= 0) {
            options.add(dss, fields.dssOption());
        }
        if (ts >= 0) {
            options.add(ts, fields.timestampsOption());
        }
        assertThat(options).isEqualTo(seg.options());
        assertThat(fields.hasTimestamps()).isEqualTo(seg.option(TcpOption.Timestamps.class).isPresent());
        assertThat(fields.hasDss()).isEqualTo(seg.option(MptcpOption.Dss.class).isPresent());
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
