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
 * zero-allocation {@link TcpPacketView} and through the value codec {@link TcpPackets#decode}.
 * The reference is the TCP checksum alone over the same bytes, which every decode must pay.
 * Throughput is segments per second; run with {@code -prof gc} for bytes per segment.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class WireDecodeBenchmark {
    private ByteBuffer data;
    private ByteBuffer syn;
    private final TcpPacketView view = new TcpPacketView();

    @Setup
    public void setup() {
        data = ByteBuffer.wrap(TcpPackets.toBytes(WireSamples.IP, WireSamples.dataSegment()));
        syn = ByteBuffer.wrap(TcpPackets.toBytes(WireSamples.IP, WireSamples.synSegment()));
        if (view.parse(data) != null || view.parse(syn) != null) {
            throw new IllegalStateException("sample packets do not decode");
        }
    }

    @Benchmark
    public long dataSegmentView() {
        MibCounter r = view.parse(data);
        if (r != null) {
            return -1;
        }
        ParsedOptions o = view.options();
        return o.dsn + o.dataAck + o.tsVal + o.dataLevelLength + view.tcp().seq() + view.tcp().payloadLength();
    }

    @Benchmark
    public Object dataSegmentValues() {
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

    /** Reference: the Internet checksum over the data segment's TCP bytes, nothing else. */
    @Benchmark
    public int referenceTcpChecksumOnly() {
        return Checksums.sum(data, 20, data.limit() - 20, 0);
    }
}
