package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.mptcp4j.base.Rng;
import org.mptcp4j.pcap.PcapReader;

/**
 * Properties of the codec: what it encodes it decodes to the same value, and no byte sequence
 * (random, or a real kernel segment mutated) makes a decoder throw or look outside its window.
 * Seeds are fixed; jqwik prints the seed and the shrunk sample of a failure.
 */
class WirePropertiesTest {
    private static final List<PcapReader.Packet> KERNEL = LinuxVectors.packets();

    @Property(tries = 600, seed = "8684")
    void segment_decodeOfEncode_isIdentity(@ForAll("packets") TcpPacket p) {
        byte[] bytes = TcpPackets.toBytes(p.ip(), p.tcp());
        assertThat(TcpPackets.decode(ByteBuffer.wrap(bytes))).isEqualTo(DecodeResult.ok(p));
        assertThat(bytes.length).isEqualTo(TcpPackets.encodedLength(p.ip(), p.tcp()));
    }

    @Property(tries = 600, seed = "30")
    void mptcpOption_decodeOfEncode_isIdentity(@ForAll("mptcpOptions") MptcpOption o) {
        ByteBuffer b = ByteBuffer.allocate(o.encodedLength());
        MptcpOptionCodec.encode(o, b);
        assertThat(b.position()).isEqualTo(o.encodedLength());
        b.flip();
        assertThat(MptcpOptionCodec.decode(b)).isEqualTo(DecodeResult.ok(o));
    }

    @Property(tries = 400, seed = "40")
    void packer_neverExceeds40Bytes_andKeepsOrder(@ForAll("wishLists") List<TcpOption> wanted) {
        PackResult r = TcpOptionPacker.pack(wanted);
        assertThat(r.lengthBytes()).isBetween(0, 40).isEqualTo(TcpOptions.layoutLength(r.packed()));
        assertThat(r.lengthBytes() % 4).isZero();
        // A SACK option that did not fit whole is listed as not fitted and packed with fewer blocks.
        List<TcpOption> trimmed = r.packed().stream().filter(o -> !wanted.contains(o)).toList();
        assertThat(trimmed).allSatisfy(o -> assertThat(o).isInstanceOf(TcpOption.Sack.class));
        assertThat(r.packed().size() + r.notFitted().size() - trimmed.size()).isEqualTo(wanted.size());
        assertThat(wanted).containsSubsequence(r.packed().stream().filter(wanted::contains).toList());
        for (TcpOption left : r.notFitted()) {
            if (left instanceof TcpOption.Sack && !trimmed.isEmpty()) {
                continue;
            }
            List<TcpOption> more = new java.util.ArrayList<>(r.packed());
            more.add(left);
            assertThat(TcpOptions.layoutLength(more)).as("%s was left out though it fits at the end", left).isGreaterThan(40);
        }
    }

    @Property(tries = 1000, seed = "1")
    void randomBytes_neverThrow_andReadOnlyTheirWindow(@ForAll @Size(max = 120) byte[] bytes, @ForAll @IntRange(max = 7) int pad) {
        assertDecodersTotal(bytes, pad);
    }

    /**
     * The checksum over a byte array (little-endian reads, one swap) and over a read-only buffer
     * (which has no accessible array: the big-endian loop) equal the RFC 1071 sum taken 16 bits at a
     * time, for any offset, length and starting sum, zero data and all-ones data included.
     */
    @Property(tries = 2000, seed = "1071")
    void checksumSum_arrayAndBufferPaths_equalTheWordByWordSum(@ForAll @Size(max = 200) byte[] bytes,
            @ForAll @IntRange(max = 0xFFFF) int start, @ForAll @IntRange(max = 2) int fill,
            @ForAll @IntRange(max = 9) int skip) {
        if (fill == 1) {
            java.util.Arrays.fill(bytes, (byte) 0);
        } else if (fill == 2) {
            java.util.Arrays.fill(bytes, (byte) 0xFF);
        }
        int from = Math.min(skip, bytes.length);
        int length = bytes.length - from;
        long reference = start;
        for (int i = from; i < from + length; i += 2) {
            reference += ((bytes[i] & 0xFF) << 8) | (i + 1 < from + length ? bytes[i + 1] & 0xFF : 0);
        }
        while ((reference >>> 16) != 0) {
            reference = (reference & 0xFFFF) + (reference >>> 16);
        }
        assertThat(Checksums.sum(bytes, from, length, start)).isEqualTo((int) reference);
        assertThat(Checksums.sum(ByteBuffer.wrap(bytes), from, length, start)).isEqualTo((int) reference);
        assertThat(Checksums.sum(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), from, length, start)).isEqualTo((int) reference);
        ByteBuffer sliced = ByteBuffer.wrap(bytes).position(from).slice();
        assertThat(Checksums.sum(sliced, 0, length, start)).isEqualTo((int) reference);
    }

    /** An MPTCP option of any subtype and length whose buffer ends exactly where the option does. */
    @Property(tries = 3000, seed = "3")
    void anyMptcpOption_ofAnyLength_neverReadsPastItself(@ForAll @IntRange(min = 0, max = 15) int subtype,
            @ForAll @Size(min = 0, max = 38) byte[] body, @ForAll byte lowNibbleAndFlags) {
        byte[] option = new byte[2 + body.length];
        option[0] = (byte) TcpOption.KIND_MPTCP;
        option[1] = (byte) option.length;
        System.arraycopy(body, 0, option, 2, body.length);
        if (body.length > 0) {
            option[2] = (byte) (subtype << 4 | (lowNibbleAndFlags & 0x0F));
        }
        DecodeResult<MptcpOption> r = MptcpOptionCodec.decode(ByteBuffer.wrap(option));
        assertThat(r).isInstanceOfAny(DecodeResult.Ok.class, DecodeResult.Malformed.class);
        if (r instanceof DecodeResult.Ok<MptcpOption> ok) {
            assertThat(ok.value().encodedLength()).isEqualTo(option.length);
            ByteBuffer again = ByteBuffer.allocate(option.length);
            MptcpOptionCodec.encode(ok.value(), again);
            assertThat(MptcpOptionCodec.decode(again.flip())).isEqualTo(r);
        }
        assertDecodersTotal(option, lowNibbleAndFlags & 7);
    }

    @Property(tries = 1500, seed = "6")
    void mutatedKernelSegments_neverThrow_andWhatDecodesReEncodes(@ForAll @IntRange(min = 0, max = 77) int frame,
            @ForAll long mutationSeed) {
        Rng rng = Rng.seeded(mutationSeed);
        byte[] bytes = KERNEL.get(frame).ip().clone();
        int ihl = 20;
        int mutations = 1 + rng.nextInt(4);
        for (int i = 0; i < mutations && bytes.length > ihl + 13; i++) {
            int kind = rng.nextInt(4);
            int at = ihl + rng.nextInt(Math.min(bytes.length - ihl, 60));
            switch (kind) {
                case 0 -> bytes[at] = (byte) rng.nextInt(256);                       // any byte of header or options
                case 1 -> bytes[at] = (byte) (bytes[at] ^ (1 << rng.nextInt(8)));   // one bit
                case 2 -> bytes[ihl + 12] = (byte) (rng.nextInt(16) << 4);           // data offset
                default -> bytes = java.util.Arrays.copyOf(bytes, ihl + rng.nextInt(bytes.length - ihl + 1)); // truncation
            }
        }
        if (rng.nextInt(4) != 0) {
            WireArbitraries.fixChecksums(bytes); // let most mutants through the checksums so the option parsers see them
        }
        assertDecodersTotal(bytes, rng.nextInt(8));
        DecodeResult<TcpPacket> result = TcpPackets.decode(ByteBuffer.wrap(bytes));
        Statistics.label("outcome").collect(result instanceof DecodeResult.Malformed<TcpPacket> m ? m.counter().name() : "OK");
        // The mutants must reach every layer: some decode, some fail in the option space, some at the checksum.
        Statistics.label("outcome").coverage(c -> {
            c.check("OK").percentage(pct -> pct > 15);
            c.check("TCP_OPTION_MALFORMED").count(n -> n > 0);
            c.check("TCP_IN_CSUM_ERRORS").count(n -> n > 0);
            c.check("TCP_IN_ERRS").count(n -> n > 0);
        });
        if (result instanceof DecodeResult.Ok<TcpPacket> ok
                && TcpOptions.layoutLength(ok.value().tcp().options()) <= TcpOptions.MAX_SPACE) {
            byte[] again = TcpPackets.toBytes(ok.value().ip(), ok.value().tcp());
            assertThat(TcpPackets.decode(ByteBuffer.wrap(again))).isEqualTo(DecodeResult.ok(ok.value()));
        }
    }

    /**
     * Every decoder returns Ok or Malformed, and returns the same for the bytes placed after {@code pad}
     * garbage bytes and before garbage up to the capacity: a read outside {@code [position, limit)}
     * would either throw or change the result.
     */
    private static void assertDecodersTotal(byte[] bytes, int pad) {
        ByteBuffer plain = ByteBuffer.wrap(bytes);
        ByteBuffer framed = ByteBuffer.allocate(pad + bytes.length + 13);
        for (int i = 0; i < framed.capacity(); i++) {
            framed.put(i, (byte) (0xA5 ^ i));
        }
        framed.put(pad, bytes).position(pad).limit(pad + bytes.length);

        assertSame(TcpPackets.decode(plain), TcpPackets.decode(framed));
        assertSame(IpCodec.decode(plain), IpCodec.decode(framed));
        var a = IpCodec.v4Address(0x0A000001);
        var b = IpCodec.v4Address(0x0A000002);
        assertSame(TcpCodec.decode(plain, a, b, ChecksumPolicy.ACCEPT_OFFLOAD_PENDING), TcpCodec.decode(framed, a, b, ChecksumPolicy.ACCEPT_OFFLOAD_PENDING));
        assertSame(TcpOptions.parse(plain, 0, bytes.length, 0), TcpOptions.parse(framed, pad, bytes.length, 0));
        if (bytes.length > 0) {
            byte[] asMptcp = bytes.clone();
            asMptcp[0] = (byte) TcpOption.KIND_MPTCP;
            ByteBuffer m = ByteBuffer.wrap(asMptcp);
            ByteBuffer mf = framed.duplicate();
            mf.put(pad, (byte) TcpOption.KIND_MPTCP);
            assertSame(MptcpOptionCodec.decode(m), MptcpOptionCodec.decode(mf));
        }
        assertThat(plain.position()).isZero();
        assertThat(framed.position()).isEqualTo(pad);
    }

    private static <T> void assertSame(DecodeResult<T> plain, DecodeResult<T> framed) {
        assertThat(plain).isInstanceOfAny(DecodeResult.Ok.class, DecodeResult.Malformed.class);
        assertThat(framed).isEqualTo(plain);
    }

    @Provide
    Arbitrary<TcpPacket> packets() {
        return net.jqwik.api.Combinators.combine(WireArbitraries.ipHeader(), WireArbitraries.segment()).as(TcpPacket::new);
    }

    @Provide
    Arbitrary<MptcpOption> mptcpOptions() {
        return WireArbitraries.mptcpOption();
    }

    @Provide
    Arbitrary<List<TcpOption>> wishLists() {
        return WireArbitraries.tcpOption().list().ofMaxSize(8);
    }
}
