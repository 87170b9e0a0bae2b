package org.mptcp4j.bench.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.stack.StackConfig;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Simulated packets per wall-clock second for a TCP bulk transfer over a 1 Gbps, 1 ms one-way link
 * (CUBIC, SACK, timestamps, 8 MB buffers): each operation moves 50 MB from a {@link BulkSender} to
 * a {@link Sink}, both on core stacks driven by {@link StackEndpoint}. The {@code packets} counter
 * (IP packets delivered in both directions, data and ACKs) divided by time is the figure asked for;
 * {@code simulatedNanos} shows how much faster than real time the run is.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class SimTcpBulkBenchmark {
    private static final long BYTES = 50L << 20;

    /** Whether the applications hash the stream with SHA-256 (as the integrity tests do). */
    @Param({"false", "true"})
    public boolean hashing;

    /** Per-iteration totals that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counts {
        public long packets;
        public long simulatedNanos;

        @Setup(Level.Iteration)
        public void reset() {
            packets = 0;
            simulatedNanos = 0;
        }
    }

    @Benchmark
    public long gigabitBulkTransfer(Counts counts) throws Exception {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", "10.0.0.1");
        Host b = sim.host("b", "10.0.0.2");
        LinkSpec spec = LinkSpec.of(1_000_000_000L, Duration.ofMillis(1)).withQueue(QueueLimit.packets(1000));
        DuplexLink link = sim.connect(a, b, spec);
        a.route("0.0.0.0/0", link.aToB());
        b.route("0.0.0.0/0", link.bToA());
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(8 << 20).withReceiveBufferBytes(8 << 20);
        Sink sink = new Sink(5001);
        BulkSender sender = new BulkSender(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 5001), BYTES, 1);
        if (!hashing) {
            sink.withoutHashing();
            sender.withoutHashing();
        }
        b.attach(new StackEndpoint(cfg).add(sink));
        a.attach(new StackEndpoint(cfg).add(sender));
        if (!sim.runUntil(() -> sink.completeFlows() == 1, Nanos.ofSeconds(60))) {
            throw new IllegalStateException("transfer did not complete");
        }
        counts.packets += link.aToB().counters().packetsDelivered() + link.bToA().counters().packetsDelivered();
        counts.simulatedNanos += sim.nowNanos();
        return sim.nowNanos();
    }
}
