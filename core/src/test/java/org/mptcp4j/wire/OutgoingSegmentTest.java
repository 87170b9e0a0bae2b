package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mptcp4j.base.Rng;

/**
 * The send path's encoding ({@link TcpPackets#encode(IpHeader, OutgoingSegment, ByteBuffer, boolean)},
 * straight from the fields) gives the bytes that encoding the segment's value gives
 * ({@link OutgoingSegment#toSegment}, through the option records), whatever the options, the
 * payload and the state a reused segment was left in.
 */
class OutgoingSegmentTest {

    @Property(tries = 3000, seed = "20261202")
    void encoding_equalsThatOfItsValue(@ForAll long seed, @ForAll("records") List<TcpOption> records,
            @ForAll("ipHeaders") IpHeader ip, @ForAll boolean partialChecksum) {
        OutgoingSegment fresh = new OutgoingSegment();
        fill(fresh, Rng.seeded(seed), records);
        OutgoingSegment reused = new OutgoingSegment();
        fill(reused, Rng.seeded(~seed), List.of(new TcpOption.WindowScale(7), new MptcpOption.MpFail(1)));
        fill(reused, Rng.seeded(seed), records);

        byte[] expected = encode(ip, fresh.toSegment(), partialChecksum);
        assertThat(encode(ip, fresh, partialChecksum)).as("seed %d", seed).isEqualTo(expected);
        assertThat(encode(ip, reused, partialChecksum)).as("reused, seed %d", seed).isEqualTo(expected);
    }

    @Provide
    Arbitrary<List<TcpOption>> records() {
        return WireArbitraries.tcpOption().list().ofMaxSize(3);
    }

    @Provide
    Arbitrary<IpHeader> ipHeaders() {
        return WireArbitraries.ipHeader();
    }

    /**
     * Fills {@code s} from {@code rng}: header fields, timestamps, SACK blocks, a DSS and the
     * payload at random, then as many of {@code records} as the option space holds beside them.
     */
    private static void fill(OutgoingSegment s, Rng rng, List<TcpOption> records) {
        s.start(rng.nextInt(0x10000), rng.nextInt(0x10000), rng.nextInt(), rng.nextInt(), rng.nextInt(TcpFlags.ALL_BITS + 1),
                rng.nextInt(0x10000));
        if (rng.chance(0.7)) {
            s.timestamps(rng.nextInt(), rng.nextInt());
        }
        int blocks = rng.nextInt(5);
        List<TcpOption.SackBlock> sack = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            sack.add(new TcpOption.SackBlock(rng.nextInt(), rng.nextInt()));
        }
        s.sack(List.copyOf(sack));
        if (rng.chance(0.7)) {
            // Any of A, a, M, m and F that a DSS can carry: A or M, and m only with M.
            int flags = rng.nextInt(0x20);
            if ((flags & MptcpOptionCodec.DSS_MAPPING) == 0) {
                flags &= ~MptcpOptionCodec.DSS_DSN_64;
            }
            if ((flags & (MptcpOptionCodec.DSS_DATA_ACK | MptcpOptionCodec.DSS_MAPPING)) == 0) {
                flags |= MptcpOptionCodec.DSS_DATA_ACK;
            }
            s.dss(flags, longOf(rng), longOf(rng), rng.nextInt(), rng.nextInt(0x10000), rng.chance(0.5), rng.nextInt(0x10000));
        }
        byte[] ring = new byte[1 + rng.nextInt(3000)];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = (byte) rng.nextInt(256);
        }
        int head = rng.nextInt(ring.length);
        // A ring's bytes, which may wrap around its end as a send queue's do.
        s.payload((offset, len, dst, at) -> {
            for (int i = 0; i < len; i++) {
                dst.put(at + i, ring[(head + offset + i) % ring.length]);
            }
        }, rng.nextInt(ring.length), rng.nextInt(ring.length));
        if (TcpOptions.layoutLength(s.toSegment().options()) > TcpOptions.MAX_SPACE) {
            s.sack(List.of()); // too many blocks beside the DSS: the sender's planning leaves them out too
        }
        for (TcpOption o : records) {
            List<TcpOption> with = new ArrayList<>(s.toSegment().options());
            with.add(o);
            if (TcpOptions.layoutLength(with) <= TcpOptions.MAX_SPACE) {
                s.add(o);
            }
        }
    }

    private static long longOf(Rng rng) {
        return (long) rng.nextInt() << 32 | rng.nextInt() & 0xFFFF_FFFFL;
    }

    private static byte[] encode(IpHeader ip, OutgoingSegment s, boolean partialChecksum) {
        ByteBuffer out = ByteBuffer.allocate(70_000);
        int n = TcpPackets.encode(ip, s, out.position(7), partialChecksum);
        assertThat(out.position()).isEqualTo(7 + n);
        return Arrays.copyOfRange(out.array(), 7, 7 + n);
    }

    private static byte[] encode(IpHeader ip, TcpSegment s, boolean partialChecksum) {
        ByteBuffer out = ByteBuffer.allocate(70_000);
        int n = TcpPackets.encode(ip, s, out.position(7), partialChecksum);
        return Arrays.copyOfRange(out.array(), 7, 7 + n);
    }
}
