package org.mptcp4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.mptcp4j.wire.MptcpOption.AddAddr;
import org.mptcp4j.wire.MptcpOption.DataSequenceMapping;
import org.mptcp4j.wire.MptcpOption.Dss;
import org.mptcp4j.wire.MptcpOption.MpCapable;

/** Generators for every value the wire codec handles: any field value the wire format can carry. */
public final class WireArbitraries {
    private WireArbitraries() {}

    static Arbitrary<Integer> u8() { return Arbitraries.integers().between(0, 255); }
    static Arbitrary<Integer> u16() { return Arbitraries.integers().between(0, 0xFFFF); }
    static Arbitrary<Long> u32AsLong() { return Arbitraries.longs().between(0, 0xFFFF_FFFFL); }

    static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    static Arbitrary<OptionalInt> optU16() {
        return Arbitraries.oneOf(Arbitraries.just(OptionalInt.empty()), u16().map(OptionalInt::of));
    }

    static Arbitrary<OptionalLong> optLong() {
        return Arbitraries.oneOf(Arbitraries.just(OptionalLong.empty()), Arbitraries.longs().map(OptionalLong::of));
    }

    public static Arbitrary<Inet4Address> ipv4() {
        return bytes(4, 4).map(b -> (Inet4Address) address(b));
    }

    public static Arbitrary<Inet6Address> ipv6() {
        return bytes(16, 16).map(b -> {
            try {
                return Inet6Address.getByAddress(null, b, -1);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        });
    }

    static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static Arbitrary<MpCapable> mpCapable() {
        Arbitrary<Integer> version = Arbitraries.integers().between(0, 15);
        return Combinators.combine(version, u8(), Arbitraries.longs(), Arbitraries.longs(), u16(), optU16(), Arbitraries.integers().between(0, 3))
                .as((v, f, k1, k2, len, csum, form) -> switch (form) {
                    case 0 -> new MpCapable(v, f, OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
                    case 1 -> new MpCapable(v, f, OptionalLong.of(k1), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty());
                    case 2 -> new MpCapable(v, f, OptionalLong.of(k1), OptionalLong.of(k2), OptionalInt.empty(), OptionalInt.empty());
                    default -> new MpCapable(v, f, OptionalLong.of(k1), OptionalLong.of(k2), OptionalInt.of(len), csum);
                });
    }

    public static Arbitrary<Dss> dss() {
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        Arbitrary<Optional<DataSequenceMapping>> mapping = Arbitraries.oneOf(Arbitraries.just(Optional.empty()),
                Combinators.combine(bool, Arbitraries.longs(), u32AsLong(), Arbitraries.integers(), u16(), optU16())
                        .as((is64, dsn64, dsn32, ssn, len, csum) -> Optional.of(new DataSequenceMapping(is64 ? dsn64 : dsn32, is64, ssn, len, csum))));
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.longs(), u32AsLong(), bool, mapping, bool)
                .as((ackForm, ack64, ack32, is64Flag, map, fin) -> switch (ackForm) {
                    case 0 -> new Dss(OptionalLong.empty(), is64Flag, map, fin);
                    case 1 -> new Dss(OptionalLong.of(ack32), false, map, fin);
                    default -> new Dss(OptionalLong.of(ack64), true, map, fin);
                });
    }

    public static Arbitrary<AddAddr> addAddr() {
        Arbitrary<InetAddress> addr = Arbitraries.oneOf(ipv4().map(a -> (InetAddress) a), ipv6().map(a -> (InetAddress) a));
        return Combinators.combine(Arbitraries.of(true, false), u8(), addr, optU16(), optLong()).as(AddAddr::new);
    }

    public static Arbitrary<MptcpOption> mptcpOption() {
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        return Arbitraries.oneOf(
                mpCapable().map(o -> (MptcpOption) o),
                Combinators.combine(bool, u8(), Arbitraries.integers(), Arbitraries.integers()).as(MptcpOption.MpJoinSyn::new),
                Combinators.combine(bool, u8(), Arbitraries.longs(), Arbitraries.integers()).as(MptcpOption.MpJoinSynAck::new),
                bytes(20, 20).map(MptcpOption.MpJoinAck::new),
                dss().map(o -> (MptcpOption) o),
                addAddr().map(o -> (MptcpOption) o),
                u8().list().ofMinSize(1).ofMaxSize(8).map(MptcpOption.RemoveAddr::new),
                Combinators.combine(bool, Arbitraries.oneOf(Arbitraries.just(OptionalInt.empty()), u8().map(OptionalInt::of))).as(MptcpOption.MpPrio::new),
                Arbitraries.longs().map(MptcpOption.MpFail::new),
                Arbitraries.longs().map(MptcpOption.MpFastclose::new),
                Combinators.combine(Arbitraries.integers().between(0, 15), u8()).as(MptcpOption.MpTcpRst::new),
                Combinators.combine(Arbitraries.integers().between(9, 15), Arbitraries.integers().between(0, 15), bytes(0, 20))
                        .as(MptcpOption.UnknownSubtype::new));
    }

    public static Arbitrary<TcpOption> tcpOption() {
        Arbitrary<Integer> unknownKind = Arbitraries.integers().between(6, 255).filter(k -> k != TcpOption.KIND_TIMESTAMPS && k != TcpOption.KIND_MPTCP);
        Arbitrary<TcpOption.SackBlock> block = Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as(TcpOption.SackBlock::new);
        return Arbitraries.oneOf(
                u16().map(TcpOption.Mss::new),
                u8().map(TcpOption.WindowScale::new),
                Arbitraries.just(new TcpOption.SackPermitted()),
                block.list().ofMinSize(1).ofMaxSize(4).map(TcpOption.Sack::new),
                Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as(TcpOption.Timestamps::new),
                Combinators.combine(unknownKind, bytes(0, 12)).as(TcpOption.Unknown::new),
                mptcpOption().map(o -> (TcpOption) o), mptcpOption().map(o -> (TcpOption) o));
    }

    /** Option lists that fit: whatever the packer keeps of a random wish list. */
    public static Arbitrary<List<TcpOption>> fittingOptions() {
        return tcpOption().list().ofMaxSize(6).map(wanted -> TcpOptionPacker.pack(wanted).packed());
    }

    public static Arbitrary<TcpSegment> segment() {
        Arbitrary<Integer> ints = Arbitraries.integers();
        Arbitrary<ByteBuffer> payload = bytes(0, 64).map(ByteBuffer::wrap);
        Arbitrary<int[]> header = Combinators.combine(u16(), u16(), ints, ints, Arbitraries.integers().between(0, TcpFlags.ALL_BITS), u16(), u16())
                .as((sp, dp, seq, ack, flags, win, urg) -> new int[] {sp, dp, seq, ack, flags, win, urg});
        return Combinators.combine(header, fittingOptions(), payload)
                .as((h, opts, data) -> new TcpSegment(h[0], h[1], h[2], h[3], h[4], h[5], h[6], opts, data));
    }

    public static Arbitrary<IpHeader> ipHeader() {
        Arbitrary<IpHeader> v4 = Combinators.combine(ipv4(), ipv4(), u8(), u8(), u16(), Arbitraries.of(true, false),
                Arbitraries.integers().between(5, 15).map(w -> w * 4))
                .as((s, d, ttl, tos, id, df, hl) -> new IpHeader.V4(s, d, IpHeader.PROTOCOL_TCP, ttl, tos, id, df, hl));
        Arbitrary<IpHeader> v6 = Combinators.combine(ipv6(), ipv6(), u8(), u8(), Arbitraries.integers().between(0, 0xF_FFFF))
                .as((s, d, hop, tc, flow) -> new IpHeader.V6(s, d, IpHeader.PROTOCOL_TCP, hop, tc, flow));
        return Arbitraries.oneOf(v4, v6);
    }

    /** Recomputes the IPv4 header and TCP checksums of a (mutated) IPv4 packet, where the lengths allow. */
    static void fixChecksums(byte[] ip) {
        ByteBuffer b = ByteBuffer.wrap(ip);
        if (ip.length < 20) {
            return;
        }
        b.putShort(2, (short) ip.length);
        b.putShort(10, (short) 0);
        b.putShort(10, (short) Checksums.finish(Checksums.sum(b, 0, 20, 0)));
        if (ip.length >= 40) {
            b.putShort(36, (short) 0);
            int sum = Checksums.pseudoHeaderSumV4(b.getInt(12), b.getInt(16), IpHeader.PROTOCOL_TCP, ip.length - 20);
            b.putShort(36, (short) Checksums.finish(Checksums.sum(b, 20, ip.length - 20, sum)));
        }
    }
}
