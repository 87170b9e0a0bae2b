package org.mptcp4j.bench.tcp;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;
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

    private StackPairDriver pair;

    @Setup
    public void setUp() throws Exception {
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20)
                .withKeepaliveIdleNanos(Nanos.ofSeconds(7200)).withMaxSynBacklog(idleConnections + 16);
        pair = new StackPairDriver(cfg, 1);
        Stack client = pair.client;
        Stack server = pair.server;
        ListenerHandle idle = server.listen(new InetSocketAddress(pair.serverAddress, IDLE_PORT), idleConnections + 16);
        for (int i = 0; i < idleConnections; i++) {
            client.connect(pair.now, null, new InetSocketAddress(pair.serverAddress, IDLE_PORT));
        }
        int accepted = 0;
        for (int round = 0; round < 10 && accepted < idleConnections; round++) {
            pair.exchange();
            while (server.accept(idle) != null) {
                accepted++;
            }
        }
        if (accepted != idleConnections) {
            throw new IllegalStateException("only " + accepted + " idle connections established");
        }
        pair.connectBusy(BUSY_PORT);
        if (client.connectionCount() != idleConnections + 1 || server.connectionCount() != idleConnections + 1) {
            throw new IllegalStateException("connections: " + client.connectionCount() + ", " + server.connectionCount());
        }
    }

    @Benchmark
    public long segmentThroughBothStacks() {
        return pair.segment();
    }
}
