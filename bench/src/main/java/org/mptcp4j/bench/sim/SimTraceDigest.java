package org.mptcp4j.bench.sim;

import java.time.Duration;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.TraceDigest;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;

/**
 * A SHA-256 over every packet on every link ({@link TraceDigest}: link, time, bytes) of
 * {@link SimTestbedBenchmark#fig3MptcpTwoPaths}'s transfer, and of the same transfer with 0.5 %
 * random loss on both paths (loss recovery, reinjection and SACK at work). A change made for
 * speed alone leaves both digests and the event counts as they were: the wire saw the same
 * packets at the same times.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SimTraceDigest 20</pre>
 *
 * Argument: MiB to transfer (default 20).
 */
public final class SimTraceDigest {
    private SimTraceDigest() {}

    public static void main(String[] args) {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 20) << 20;
        run("clean", SimTestbedBenchmark.twoEqualPaths(), bytes);
        run("lossy", Topologies.performanceTestbed(new Simulation(1),
                PathSpec.of(100_000_000L, Duration.ofMillis(10)).withLoss(LossModel.bernoulli(0.005)),
                PathSpec.of(100_000_000L, Duration.ofMillis(10)).withLoss(LossModel.bernoulli(0.005))), bytes);
    }

    private static void run(String name, PerformanceTestbed bed, long bytes) {
        TraceDigest digest = new TraceDigest();
        bed.sim().observeAllLinks(digest);
        SimEngineBenchmark.Counts counts = new SimEngineBenchmark.Counts();
        SimTestbedBenchmark.mptcpTwoPaths(bed, bytes, counts);
        System.out.printf("%s: %d packets, %d events, %d simulated ns, trace %s%n", name, digest.packets(), counts.events,
                counts.simulatedNanos, digest.hex());
    }
}
