package org.mptcp4j.bench.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.ParallelSimulation;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.UdpSource;
import org.mptcp4j.stack.StackConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Paper-scale runs with real endpoints, on the default event queue. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SimTestbedBenchmark {
    /** The paper's Fig. 3 testbed with both paths at 100 Mbit/s and 10 ms, seed 1. */
    static PerformanceTestbed twoEqualPaths() {
        return Topologies.performanceTestbed(new Simulation(1),
                PathSpec.of(100_000_000L, Duration.ofMillis(10)), PathSpec.of(100_000_000L, Duration.ofMillis(10)));
    }

    /**
     * The paper's Fig. 3 testbed with real endpoints: {@code UdpSource} at 100 Mbit/s line rate
     * on path A for 60 simulated seconds (500 000 checksummed 1500-byte datagrams), received by
     * a {@code CountingSink} that verifies every checksum. {@code simulatedNanos} per second of
     * wall time says how fast the paper's 10-minute runs go, endpoints included.
     */
    @Benchmark
    public long fig3UdpLineRate(SimEngineBenchmark.Counts counts) {
        PerformanceTestbed bed = twoEqualPaths();
        bed.source().attach(UdpSource.from(bed.pathA().sourceAddress()).to(bed.pathA().destinationAddress())
                .rateBps(100_000_000L).count(500_000).build());
        CountingSink sink = new CountingSink();
        bed.destination().attach(sink);
        bed.sim().run();
        if (sink.packets() != 500_000) {
            throw new AssertionError("lost packets on a lossless path: " + sink.packets());
        }
        counts.events += bed.sim().eventsProcessed();
        counts.simulatedNanos += bed.sim().nowNanos();
        return sink.bytes();
    }

    /**
     * The same testbed and path A, carrying plain TCP: one connection (CUBIC, default stack with
     * MPTCP off, Linux's {@code net.mptcp.enabled=0}) moves 100 MiB from source to destination, both
     * ends running the core {@code Stack}; no SHA-256, so the figure is the network and the two
     * stacks. Simulated time runs from the SYN to the receiver's end of stream (about 8.8 s).
     */
    @Benchmark
    public long fig3TcpBulk(SimEngineBenchmark.Counts counts) {
        PerformanceTestbed bed = twoEqualPaths();
        return tcp(bed, counts, 100L << 20, false, false);
    }

    /**
     * The same 100 MiB on path A with the default stack, MPTCP on: the connection negotiates
     * MP_CAPABLE and runs as MPTCP with a single subflow (no endpoint to join from). Beside
     * {@link #fig3TcpBulk}, the cost of the MPTCP layer per byte.
     */
    @Benchmark
    public long fig3MptcpOnePath(SimEngineBenchmark.Counts counts) {
        PerformanceTestbed bed = twoEqualPaths();
        return tcp(bed, counts, 100L << 20, false, true);
    }

    /**
     * What {@code ./mptcp4j demo} runs: path A at 100 Mbit/s and 10 ms, path B at 40 Mbit/s,
     * 40 ms and 0.1 % random loss, one plain TCP connection of 20 MiB on each, both at once
     * (what the demo ran before it ran MPTCP).
     */
    @Benchmark
    public long fig3TcpDemo(SimEngineBenchmark.Counts counts) {
        PerformanceTestbed bed = Topologies.performanceTestbed(
                new Simulation(1),
                PathSpec.of(100_000_000L, Duration.ofMillis(10)),
                PathSpec.of(40_000_000L, Duration.ofMillis(40)).withLoss(LossModel.bernoulli(0.001)));
        return tcp(bed, counts, 20L << 20, true, false);
    }

    /**
     * One MPTCP connection over both paths of the same testbed, each at 100 Mbit/s and 10 ms, set
     * up as {@code ./mptcp4j demo} sets it up: the source connects from its path-A address and a
     * {@code subflow} endpoint on its path-B address joins a second subflow (limits: 1 subflow, 0
     * ADD_ADDR accepted); the destination answers both from its path-A address, so the second
     * subflow's ACKs return on path A. It moves 100 MiB without SHA-256, about 4.6 simulated seconds.
     */
    @Benchmark
    public long fig3MptcpTwoPaths(SimEngineBenchmark.Counts counts) {
        return mptcpTwoPaths(twoEqualPaths(), 100L << 20, counts);
    }

    /**
     * {@link #fig3MptcpTwoPaths} on two threads ({@link ParallelSimulation}): the source and the
     * router's way back in one partition, the router's way there and the destination in the
     * other, each path's 10 ms delay on the hops between them (the same network: each host
     * receives the same packets at the same times; see {@link Topologies#splitRouter}).
     * Its figure is wall time: the CPU of both threads is about that of the one-thread run.
     */
    @Benchmark
    public long fig3MptcpTwoPathsParallel(SimEngineBenchmark.Counts counts) {
        return mptcpTwoPaths(twoEqualPathsParallel(), 100L << 20, counts);
    }

    /**
     * {@link #fig3MptcpTwoPaths} with TCP Small Queues on both hosts ({@code StackEndpoint.withSmallQueues}),
     * as Linux hosts have them: the same transfer in the same simulated time (about 4.6 s), but
     * the source, whose own 100 Mbit/s links are the bottlenecks, keeps a few packets in their
     * 1000-packet queues instead of filling them (about 2 300 packets held at the peak without).
     */
    @Benchmark
    public long fig3MptcpTwoPathsTsq(SimEngineBenchmark.Counts counts) {
        return mptcpTwoPaths(new Run(twoEqualPaths()), 100L << 20, counts, true);
    }

    /** {@link #fig3MptcpTwoPathsTsq} on two threads, as {@link #fig3MptcpTwoPathsParallel}. */
    @Benchmark
    public long fig3MptcpTwoPathsTsqParallel(SimEngineBenchmark.Counts counts) {
        return mptcpTwoPaths(twoEqualPathsParallel(), 100L << 20, counts, true);
    }

    /** {@link #twoEqualPaths} on two partitions (see {@link Topologies#performanceTestbed(ParallelSimulation, PathSpec, PathSpec)}). */
    static Run twoEqualPathsParallel() {
        ParallelSimulation parallel = new ParallelSimulation(1, 2);
        return new Run(Topologies.performanceTestbed(parallel,
                PathSpec.of(100_000_000L, Duration.ofMillis(10)), PathSpec.of(100_000_000L, Duration.ofMillis(10))),
                parallel);
    }

    /** A testbed and, when it runs on several threads, the partitions it runs on. */
    record Run(PerformanceTestbed bed, ParallelSimulation parallel) {
        Run(PerformanceTestbed bed) {
            this(bed, null);
        }

        boolean runUntil(BooleanSupplier done, long deadlineNanos) {
            return parallel == null ? bed.sim().runUntil(done, deadlineNanos) : parallel.runUntil(done, deadlineNanos);
        }

        long eventsProcessed() {
            return parallel == null ? bed.sim().eventsProcessed() : parallel.eventsProcessed();
        }

        long nowNanos() {
            return parallel == null ? bed.sim().nowNanos() : parallel.nowNanos();
        }

        List<Link> links() {
            return parallel == null ? bed.sim().links() : parallel.links();
        }
    }

    /** {@link #fig3MptcpTwoPaths}'s transfer of {@code bytes} on {@code bed}: {@link SimTraceDigest} watches it. */
    static long mptcpTwoPaths(PerformanceTestbed bed, long bytes, SimEngineBenchmark.Counts counts) {
        return mptcpTwoPaths(new Run(bed), bytes, counts);
    }

    static long mptcpTwoPaths(Run run, long bytes, SimEngineBenchmark.Counts counts) {
        return mptcpTwoPaths(run, bytes, counts, false);
    }

    /** {@link #mptcpTwoPaths(Run, long, SimEngineBenchmark.Counts)}, both hosts with TCP Small Queues if {@code smallQueues}. */
    static long mptcpTwoPaths(Run run, long bytes, SimEngineBenchmark.Counts counts, boolean smallQueues) {
        PerformanceTestbed bed = run.bed();
        InetAddress destinationA = address(bed.pathA().destinationAddress());
        // The demo's configuration: a 4 MiB send buffer holds the data in flight on both paths.
        StackConfig server = StackConfig.defaults().withSendBufferBytes(4 << 20);
        StackConfig client = server.withMptcp(server.mptcp()
                .withEndpoints(List.of(Endpoint.of(address(bed.pathB().sourceAddress()), 1, Endpoint.Flag.SUBFLOW)))
                .withLimits(new Limits(1, 0)));
        Sink sink = new Sink(5001).withoutHashing();
        StackEndpoint destination = new StackEndpoint(server).add(sink);
        StackEndpoint source = new StackEndpoint(client).add(
                new BulkSender(new InetSocketAddress(destinationA, 5001), bytes, 1)
                        .from(address(bed.pathA().sourceAddress())).withoutHashing());
        if (smallQueues) {
            destination.withSmallQueues();
            source.withSmallQueues();
        }
        bed.destination().attach(destination);
        bed.source().attach(source);
        boolean done = run.runUntil(() -> sink.completeFlows() == 1, Nanos.ofSeconds(600));
        if (!done || sink.totalBytes() != bytes) {
            throw new AssertionError("transfer incomplete: " + sink.totalBytes() + " of " + bytes);
        }
        counts.events += run.eventsProcessed();
        if (run.parallel() != null) {
            int n = run.parallel().partitions();
            counts.waitedNanos = new long[n];
            counts.waits = new long[n];
            counts.busyNanos = new long[n];
            for (int i = 0; i < n; i++) {
                counts.waitedNanos[i] = run.parallel().waitedNanos(i);
                counts.waits[i] = run.parallel().waits(i);
                counts.busyNanos[i] = run.parallel().busyNanos(i);
            }
        }
        // The transfer's end, not the clock's: two threads stop at a checkpoint after it.
        counts.simulatedNanos += sink.flow().eofNanos();
        return sink.totalBytes();
    }

    private static long tcp(PerformanceTestbed bed, SimEngineBenchmark.Counts counts, long bytes, boolean bothPaths,
            boolean mptcp) {
        StackConfig config = StackConfig.defaults().withMptcpEnabled(mptcp);
        Sink sink = new Sink(5001).withoutHashing();
        bed.destination().attach(new StackEndpoint(config).add(sink));
        StackEndpoint source = new StackEndpoint(config);
        source.add(new BulkSender(new InetSocketAddress(address(bed.pathA().destinationAddress()), 5001), bytes, 1)
                .from(address(bed.pathA().sourceAddress())).withoutHashing());
        int flows = 1;
        if (bothPaths) {
            source.add(new BulkSender(new InetSocketAddress(address(bed.pathB().destinationAddress()), 5001), bytes, 2)
                    .from(address(bed.pathB().sourceAddress())).withoutHashing());
            flows = 2;
        }
        bed.source().attach(source);
        int expected = flows;
        boolean done = bed.sim().runUntil(() -> sink.completeFlows() == expected, Nanos.ofSeconds(600));
        if (!done || sink.totalBytes() != flows * bytes) {
            throw new AssertionError("transfer incomplete: " + sink.totalBytes() + " of " + flows * bytes);
        }
        counts.events += bed.sim().eventsProcessed();
        counts.simulatedNanos += bed.sim().nowNanos();
        return sink.totalBytes();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
