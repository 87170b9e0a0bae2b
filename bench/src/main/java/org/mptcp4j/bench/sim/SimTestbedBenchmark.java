package org.mptcp4j.bench.sim;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.UdpSource;
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
    /**
     * The paper's Fig. 3 testbed with real endpoints: {@code UdpSource} at 100 Mbit/s line rate
     * on path A for 60 simulated seconds (500 000 checksummed 1500-byte datagrams), received by
     * a {@code CountingSink} that verifies every checksum. {@code simulatedNanos} per second of
     * wall time says how fast the paper's 10-minute runs go, endpoints included.
     */
    @Benchmark
    public long fig3UdpLineRate(SimEngineBenchmark.Counts counts) {
        PerformanceTestbed bed = Topologies.performanceTestbed(
                new Simulation(1),
                PathSpec.of(100_000_000L, Duration.ofMillis(10)),
                PathSpec.of(100_000_000L, Duration.ofMillis(10)));
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

}
