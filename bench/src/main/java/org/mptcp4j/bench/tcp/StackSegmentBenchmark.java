package org.mptcp4j.bench.tcp;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The stack's CPU cost per data segment: one MSS of application data written on one stack, sent
 * (sender state machine, option building, encode with checksums), received by the other stack
 * (decode with checksum, demultiplexing, reassembly, delayed-ACK logic), read by its application,
 * and the ACK (every second segment) processed by the sender. Both stacks live in one thread and
 * pass packets directly ({@link StackPairDriver}); time advances 12 microseconds per segment.
 *
 * <p>Reference in the same run: {@link #codecOnly}, encoding and decoding the same IP packet with
 * the wire codec alone, so that stack cost minus codec cost is the TCP engine's own share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class StackSegmentBenchmark {
    private StackPairDriver pair;
    private IpHeader refIp;
    private TcpSegment refSegment;
    private final ByteBuffer refOut = ByteBuffer.allocate(2048);

    @Setup
    public void setUp() throws Exception {
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20);
        pair = new StackPairDriver(cfg, 1);
        pair.connectBusy(5001);
        refIp = IpHeader.V4.of((java.net.Inet4Address) pair.clientAddress, (java.net.Inet4Address) pair.serverAddress,
                IpHeader.PROTOCOL_TCP);
        refSegment = new TcpSegment(40000, 5001, 1, 1, 0x18, 65535, 0,
                java.util.List.of(new org.mptcp4j.wire.TcpOption.Timestamps(1, 2)), ByteBuffer.allocate(1448));
    }

    @Benchmark
    public long segmentThroughBothStacks() {
        return pair.segment();
    }

    @Benchmark
    public int codecOnly() {
        refOut.clear();
        int n = TcpPackets.encode(refIp, refSegment, refOut);
        refOut.flip();
        DecodeResult<TcpPacket> r = TcpPackets.decode(refOut);
        return n + (r instanceof DecodeResult.Ok<TcpPacket> ok ? ok.value().tcp().payloadLength() : 0);
    }
}
