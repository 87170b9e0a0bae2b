package org.mptcp4j.bench.wire;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.Checksums;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.ParsedOptions;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPacketView;
import org.mptcp4j.wire.TcpPackets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding the two sample packets (IPv4 + TCP), both checksums verified: through the
 * zero-allocation {@link TcpPacketView} and through the value codec {@link TcpPackets#decode}
 * (the one the stack uses, {@code Stack} on every incoming packet). The reference is the TCP
 * checksum alone over the same bytes, which every decode must pay.
 *
 * <p>Every invocation takes the next of {@link #RING} different packets of the same shape (other
 * sequence numbers, DSN, timestamps, payload and checksums), so that no result can be carried over
 * from one invocation to the next and the branch predictor cannot learn one packet's bytes; the
 * {@code *Same} variants decode one packet over and over, as the first version of this benchmark
 * did. Throughput is segments per second; run with {@code -prof gc} for bytes per segment.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class WireDecodeBenchmark {
    /** Different data segments cycled through: 64 x 1500 bytes, about 96 KB, stays in L2 as a busy receive path's would. */
    static final int RING = 64;

    private final ByteBuffer[] ring = new ByteBuffer[RING];
    private int next;
    private ByteBuffer data;
    private ByteBuffer syn;
    private final TcpPacketView view = new TcpPacketView();

    @Setup
    public void setup() {
        for (int k = 0; k < RING; k++) {
            ring[k] = ByteBuffer.wrap(TcpPackets.toBytes(WireSamples.IP, WireSamples.dataSegment(k)));
            if (view.parse(ring[k]) != null || !(TcpPackets.decode(ring[k]) instanceof DecodeResult.Ok)) {
                throw new IllegalStateException("sample packet " + k + " does not decode");
            }
        }
        data = ring[0];
        syn = ByteBuffer.wrap(TcpPackets.toBytes(WireSamples.IP, WireSamples.synSegment()));
        if (view.parse(syn) != null) {
            throw new IllegalStateException("sample packets do not decode");
        }
    }

    private ByteBuffer nextData() {
        ByteBuffer b = ring[next];
        next = (next + 1) & (RING - 1);
        return b;
    }

    @Benchmark
    public long dataSegmentView() {
        return view(nextData());
    }

    @Benchmark
    public Object dataSegmentValues() {
        return TcpPackets.decode(nextData());
    }

    /**
     * Reference: the Internet checksum over a data segment's TCP bytes, nothing else, in a method of
     * its own that the benchmark loop may not inline, as the decoders reach it (through
     * {@code TcpView.bind}). Inlined straight into JMH's measurement loop, C2 compiled the same
     * summing loop about five times slower (1.2 M/s against 5.9 M/s), which made the first version
     * of this reference read slower than the decode that includes it.
     */
    @Benchmark
    public int referenceTcpChecksumOnly() {
        return tcpChecksum(nextData());
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static int tcpChecksum(ByteBuffer b) {
        return Checksums.sum(b, 20, b.limit() - 20, 0);
    }

    @Benchmark
    public long dataSegmentViewSame() {
        return view(data);
    }

    private long view(ByteBuffer data) {
        MibCounter r = view.parse(data);
        if (r != null) {
            return -1;
        }
        ParsedOptions o = view.options();
        return o.dsn + o.dataAck + o.tsVal + o.dataLevelLength + view.tcp().seq() + view.tcp().payloadLength();
    }

    @Benchmark
    public Object dataSegmentValuesSame() {
        DecodeResult<TcpPacket> r = TcpPackets.decode(data);
        return r;
    }

    @Benchmark
    public long synView() {
        MibCounter r = view.parse(syn);
        if (r != null) {
            return -1;
        }
        ParsedOptions o = view.options();
        return o.mss + o.windowScale + o.tsVal + (o.sackPermitted ? 1 : 0) + o.mptcpOthers + view.tcp().seq();
    }

    @Benchmark
    public Object synValues() {
        return TcpPackets.decode(syn);
    }

    /** {@link #referenceTcpChecksumOnly} over one data segment, the same every time. */
    @Benchmark
    public int referenceTcpChecksumOnlySame() {
        return tcpChecksum(data);
    }
}
