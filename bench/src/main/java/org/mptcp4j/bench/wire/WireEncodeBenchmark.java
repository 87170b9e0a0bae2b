package org.mptcp4j.bench.wire;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;
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
 * Encoding the two sample segments as full IPv4 packets with both checksums into a reused buffer
 * ({@link TcpPackets#encode}). The reference copies the same number of bytes into the buffer.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class WireEncodeBenchmark {
    private TcpSegment data;
    private TcpSegment syn;
    private ByteBuffer out;
    private byte[] reference;

    @Setup
    public void setup() {
        data = WireSamples.dataSegment();
        syn = WireSamples.synSegment();
        out = ByteBuffer.allocate(2048);
        reference = TcpPackets.toBytes(WireSamples.IP, data);
    }

    @Benchmark
    public int dataSegment() {
        out.clear();
        return TcpPackets.encode(WireSamples.IP, data, out);
    }

    @Benchmark
    public int synSegment() {
        out.clear();
        return TcpPackets.encode(WireSamples.IP, syn, out);
    }

    /** Reference: copying the encoded data packet's bytes into the same buffer. */
    @Benchmark
    public int referenceCopy() {
        out.clear();
        out.put(reference);
        return out.position();
    }
}
