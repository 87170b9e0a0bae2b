package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Rng;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.pcap.PcapReader;

/**
 * The zero-allocation path ({@link TcpPacketView}, {@link TcpOptionScanner}) and the value path
 * ({@link TcpPackets#decode}) give the same verdict and the same fields for every input: kernel
 * frames, generated packets, mutants and random bytes.
 */
class PacketViewEquivalenceTest {
    private static final List<PcapReader.Packet> KERNEL = LinuxVectors.packets();
    private final TcpPacketView view = new TcpPacketView();

    @Test
    void everyKernelFrame_readsTheSameThroughTheView() {
        for (PcapReader.Packet p : KERNEL) {
            assertAgree(p.ip(), ChecksumPolicy.ACCEPT_OFFLOAD_PENDING);
            assertThat(view.parse(ByteBuffer.wrap(p.ip()), ChecksumPolicy.ACCEPT_OFFLOAD_PENDING)).isNull();
        }
        // Frame 14: timestamps and a DSS mapping, the data segment the hot path exists for.
        view.parse(ByteBuffer.wrap(KERNEL.get(13).ip()), ChecksumPolicy.ACCEPT_OFFLOAD_PENDING);
        ParsedOptions o = view.options();
        assertThat(o.timestamps).isTrue();
        assertThat(o.hasMapping()).isTrue();
        assertThat(o.dsnIs64()).isTrue();
        assertThat(o.dataLevelLength).isEqualTo(2048).isEqualTo(view.tcp().payloadLength());
        assertThat(o.dssChecksum).isEqualTo(ParsedOptions.ABSENT);
    }

    /**
     * The hot path allocates nothing: the JDK's per-thread allocation counter barely moves over
     * 20,000 parses of a data segment with timestamps and a DSS (JMH -prof gc gives the same,
     * docs/benchmarks/wire.md). A regression guard, not a timing.
     */
    @Test
    void parsingADataSegment_allocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ByteBuffer frame = ByteBuffer.wrap(KERNEL.get(13).ip());
        long sink = 0;
        for (int i = 0; i < 2_000; i++) {
            view.parse(frame, ChecksumPolicy.ACCEPT_OFFLOAD_PENDING);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++) {
            if (view.parse(frame, ChecksumPolicy.ACCEPT_OFFLOAD_PENDING) == null) {
                sink += view.options().dsn + view.tcp().payloadLength();
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isNotZero();
        assertThat(allocated).as("bytes allocated by 20,000 parses").isLessThan(20_000);
    }

    @Property(tries = 400, seed = "77")
    void generatedPackets_agree(@ForAll("packets") TcpPacket p) {
        assertAgree(TcpPackets.toBytes(p.ip(), p.tcp()), ChecksumPolicy.VERIFY);
    }

    @Property(tries = 800, seed = "78")
    void mutatedKernelFrames_agree(@ForAll @IntRange(min = 0, max = 77) int frame, @ForAll long seed) {
        Rng rng = Rng.seeded(seed);
        byte[] b = KERNEL.get(frame).ip().clone();
        for (int i = 0; i < 1 + rng.nextInt(3); i++) {
            int at = 20 + rng.nextInt(Math.min(b.length - 20, 60));
            b[at] = (byte) rng.nextInt(256);
        }
        assertAgree(b, ChecksumPolicy.ACCEPT_OFFLOAD_PENDING);
        assertAgree(b, ChecksumPolicy.VERIFY);
    }

    @Property(tries = 500, seed = "79")
    void randomBytes_agree(@ForAll @Size(max = 100) byte[] b) {
        assertAgree(b, ChecksumPolicy.VERIFY);
    }

    private void assertAgree(byte[] bytes, ChecksumPolicy policy) {
        DecodeResult<TcpPacket> slow = TcpPackets.decode(ByteBuffer.wrap(bytes), policy);
        MibCounter fast = view.parse(ByteBuffer.wrap(bytes), policy);
        if (slow instanceof DecodeResult.Malformed<TcpPacket> m) {
            assertThat(fast).as("verdict").isEqualTo(m.counter());
            assertThat(view.errorOffset()).as("offset of %s", m).isEqualTo(m.offset());
            return;
        }
        assertThat(fast).as("verdict on %s", slow).isNull();
        TcpSegment s = ((DecodeResult.Ok<TcpPacket>) slow).value().tcp();
        TcpView t = view.tcp();
        assertThat(new int[] {t.srcPort(), t.dstPort(), t.seq(), t.ack(), t.flags(), t.window(), t.urgentPointer(), t.payloadLength()})
                .containsExactly(s.srcPort(), s.dstPort(), s.seq(), s.ack(), s.flags(), s.window(), s.urgentPointer(), s.payloadLength());
        ParsedOptions o = view.options();
        assertThat(o.mss).isEqualTo(last(s, TcpOption.Mss.class) == null ? ParsedOptions.ABSENT : last(s, TcpOption.Mss.class).mss());
        assertThat(o.windowScale).isEqualTo(last(s, TcpOption.WindowScale.class) == null ? ParsedOptions.ABSENT
                : last(s, TcpOption.WindowScale.class).shift());
        assertThat(o.sackPermitted).isEqualTo(last(s, TcpOption.SackPermitted.class) != null);
        TcpOption.Timestamps ts = last(s, TcpOption.Timestamps.class);
        assertThat(o.timestamps).isEqualTo(ts != null);
        if (ts != null) {
            assertThat(new int[] {o.tsVal, o.tsEcr}).containsExactly(ts.tsVal(), ts.tsEcr());
        }
        TcpOption.Sack sack = last(s, TcpOption.Sack.class);
        assertThat(o.sackBlocks).isEqualTo(sack == null ? 0 : sack.blocks().size());
        for (int k = 0; k < o.sackBlocks; k++) {
            assertThat(o.sackEdges[2 * k]).isEqualTo(sack.blocks().get(k).left());
            assertThat(o.sackEdges[2 * k + 1]).isEqualTo(sack.blocks().get(k).right());
        }
        assertThat(o.toDss()).isEqualTo(last(s, MptcpOption.Dss.class));
        List<MptcpOption> others = new ArrayList<>();
        int refused = o.mptcpMalformed;
        for (int k = 0; k < o.mptcpOthers; k++) {
            DecodeResult<MptcpOption> r = MptcpOptionCodec.decodeAt(ByteBuffer.wrap(bytes), o.mptcpOtherOffsets[k],
                    t.optionsOffset() + t.optionsLength());
            if (r instanceof DecodeResult.Ok<MptcpOption> ok) {
                others.add(ok.value());
            } else {
                refused++;
            }
        }
        assertThat(others).isEqualTo(s.mptcpOptions().stream().filter(m -> !(m instanceof MptcpOption.Dss)).toList());
        long slowRefused = s.options().stream().filter(x -> x instanceof TcpOption.Unknown u && u.kind() == TcpOption.KIND_MPTCP).count();
        assertThat(refused).isEqualTo((int) slowRefused);
        long slowUnknown = s.options().stream().filter(x -> x instanceof TcpOption.Unknown u && u.kind() != TcpOption.KIND_MPTCP).count();
        assertThat(o.unknown).isEqualTo((int) slowUnknown);
    }

    private static <T extends TcpOption> T last(TcpSegment s, Class<T> type) {
        T found = null;
        for (TcpOption x : s.options()) {
            if (type.isInstance(x)) {
                found = type.cast(x);
            }
        }
        return found;
    }

    @Provide
    Arbitrary<TcpPacket> packets() {
        return Combinators.combine(WireArbitraries.ipHeader(), WireArbitraries.segment()).as(TcpPacket::new);
    }
}
