package org.mptcp4j.bench.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.stack.StackEvent;
import org.mptcp4j.stack.Transmit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The stack's CPU cost per data segment beside {@code idleConnections} idle established
 * connections on both stacks: the loop of {@link StackSegmentBenchmark} (one MSS written, sent,
 * received, read, half an ACK back), driven as a sans-IO driver must, with {@link Stack#pollTimeout}
 * after every exchange. Keepalive is on (Linux's 2 h idle time), so the idle connections have a
 * timer armed, far away. With a cost independent of the number of connections, both rows match.
 * Uses only the public {@link Stack} API, so it runs unchanged against older versions of core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class StackManyConnectionsBenchmark {
    private static final int BUSY_PORT = 5001;
    private static final int IDLE_PORT = 5002;

    @Param({"0", "1000"})
    public int idleConnections;

    private Stack client;
    private Stack server;
    private ConnHandle clientConn;
    private ConnHandle serverConn;
    private final ByteBuffer wire = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
    private final ByteBuffer appData = ByteBuffer.allocate(1448);
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    private long now = 1_000_000_000L;

    @Setup
    public void setUp() throws Exception {
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20)
                .withKeepaliveIdleNanos(Nanos.ofSeconds(7200)).withMaxSynBacklog(idleConnections + 16);
        Rng rng = Rng.seeded(1);
        client = new Stack(cfg, rng.split());
        server = new Stack(cfg, rng.split());
        InetAddress ca = InetAddress.getByName("10.0.0.1");
        InetAddress sa = InetAddress.getByName("10.0.0.2");
        client.addAddress(ca);
        server.addAddress(sa);
        ListenerHandle idle = server.listen(new InetSocketAddress(sa, IDLE_PORT), idleConnections + 16);
        for (int i = 0; i < idleConnections; i++) {
            client.connect(now, null, new InetSocketAddress(sa, IDLE_PORT));
        }
        int accepted = 0;
        for (int round = 0; round < 10 && accepted < idleConnections; round++) {
            exchange();
            while (server.accept(idle) != null) {
                accepted++;
            }
        }
        if (accepted != idleConnections) {
            throw new IllegalStateException("only " + accepted + " idle connections established");
        }
        ListenerHandle l = server.listen(new InetSocketAddress(sa, BUSY_PORT), 8);
        clientConn = client.connect(now, null, new InetSocketAddress(sa, BUSY_PORT));
        for (int i = 0; i < 10 && serverConn == null; i++) {
            exchange();
            serverConn = server.accept(l);
        }
        if (serverConn == null) {
            throw new IllegalStateException("no handshake");
        }
        drainEvents();
        if (client.connectionCount() != idleConnections + 1 || server.connectionCount() != idleConnections + 1) {
            throw new IllegalStateException("connections: " + client.connectionCount() + ", " + server.connectionCount());
        }
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
        while (client.pollEvent() != null) {
            // discarded
        }
        while (server.pollEvent() != null) {
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
}
