package org.mptcp4j.bench.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.base.Rng;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.stack.StackEvent;
import org.mptcp4j.stack.Transmit;
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
 * pass packets directly; time advances 12 microseconds per segment (1 Gbps pacing).
 *
 * <p>Reference in the same run: {@link #codecOnly}, encoding and decoding the same IP packet with
 * the wire codec alone, so that stack cost minus codec cost is the TCP engine's own share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class StackSegmentBenchmark {
    private Stack client;
    private Stack server;
    private ConnHandle clientConn;
    private ConnHandle serverConn;
    private final ByteBuffer wire = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
    private final ByteBuffer appData = ByteBuffer.allocate(1448);
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    private long now = 1_000_000_000L;
    private IpHeader refIp;
    private TcpSegment refSegment;
    private final ByteBuffer refOut = ByteBuffer.allocate(2048);

    @Setup
    public void setUp() throws Exception {
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20);
        Rng rng = Rng.seeded(1);
        client = new Stack(cfg, rng.split());
        server = new Stack(cfg, rng.split());
        InetAddress ca = InetAddress.getByName("10.0.0.1");
        InetAddress sa = InetAddress.getByName("10.0.0.2");
        client.addAddress(ca);
        server.addAddress(sa);
        ListenerHandle l = server.listen(new InetSocketAddress(sa, 5001), 8);
        clientConn = client.connect(now, null, new InetSocketAddress(sa, 5001));
        for (int i = 0; i < 10 && serverConn == null; i++) {
            exchange();
            serverConn = server.accept(l);
        }
        if (serverConn == null) {
            throw new IllegalStateException("no handshake");
        }
        drainEvents();
        refIp = IpHeader.V4.of((java.net.Inet4Address) ca, (java.net.Inet4Address) sa, IpHeader.PROTOCOL_TCP);
        refSegment = new TcpSegment(40000, 5001, 1, 1, 0x18, 65535, 0,
                java.util.List.of(new org.mptcp4j.wire.TcpOption.Timestamps(1, 2)), ByteBuffer.allocate(1448));
    }

    /** Moves every pending packet in both directions, then lets the server application read. */
    private void exchange() {
        boolean moved;
        do {
            moved = move(client, server) | move(server, client);
            if (serverConn != null) {
                readBuf.clear();
                while (server.read(now, serverConn, readBuf) > 0) {
                    readBuf.clear();
                }
            }
        } while (moved);
    }

    private boolean move(Stack from, Stack to) {
        boolean any = false;
        Transmit t;
        while ((t = from.pollTransmit(now, wire.clear())) != null) {
            wire.flip();
            to.handleInbound(now, wire);
            any = true;
        }
        return any;
    }

    private void drainEvents() {
        StackEvent e;
        while ((e = client.pollEvent()) != null) {
            // discarded
        }
        while ((e = server.pollEvent()) != null) {
            // discarded
        }
    }

    @Benchmark
    public long segmentThroughBothStacks() {
        now += 12_000;
        appData.clear();
        client.write(now, clientConn, appData);
        exchange();
        if (client.pollTimeout() <= now) {
            client.handleTimeout(now);
        }
        if (server.pollTimeout() <= now) {
            server.handleTimeout(now);
            exchange();
        }
        drainEvents();
        return now;
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
