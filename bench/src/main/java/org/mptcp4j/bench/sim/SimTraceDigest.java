package org.mptcp4j.bench.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.ParallelSimulation;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.TraceDigest;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;

/**
 * A SHA-256 over every packet on every link ({@link TraceDigest}: link, time, bytes) of
 * {@link SimTestbedBenchmark#fig3MptcpTwoPaths}'s transfer, and of the same transfer with 0.5 %
 * random loss on both paths (loss recovery, reinjection and SACK at work). A change made for
 * speed alone leaves both digests and the event counts as they were: the wire saw the same
 * packets at the same times.
 *
 * <p>Then each transfer again on two threads ({@link ParallelSimulation}), digested link by link
 * (the links of two partitions deliver on two threads, so there is no one order of all packets):
 * the digest of the links' digests in name order, beside the same of a one-thread run laid out
 * alike ({@link Topologies#splitRouter}: the router split by direction), both up to the time the
 * one-thread run ended (the two-thread run goes on to the end of its window). Equal means every
 * link carried the same packets at the same times. Last, that layout against the usual one on one
 * thread, over the links into the two hosts (by host and path, as the routers they come from are
 * named otherwise): equal means each host received the same packets at the same times.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mptcp4j.bench.sim.SimTraceDigest 20</pre>
 *
 * Argument: MiB to transfer (default 20).
 */
public final class SimTraceDigest {
    private SimTraceDigest() {}

    public static void main(String[] args) {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 20) << 20;
        for (String name : new String[] {"clean", "lossy"}) {
            run(name, sequential(name), bytes);
        }
        for (String name : new String[] {"clean", "lossy"}) {
            SimTestbedBenchmark.Run oneThread = splitRouter(name);
            String one = byLink(name + ", split router", oneThread, bytes, Long.MAX_VALUE, false);
            // Two threads stop at the end of a window, past the transfer's end: compare up to that end.
            String two = byLink(name + ", two threads", parallel(name), bytes, oneThread.nowNanos(), false);
            System.out.println(name + ": one thread and two threads " + (one.equals(two) ? "agree" : "DIFFER") + " on every link");
            String usual = byLink(name + ", into the hosts", sequential(name), bytes, Long.MAX_VALUE, true);
            String split = byLink(name + ", into the hosts, split router", splitRouter(name), bytes, Long.MAX_VALUE, true);
            System.out.println(name + ": the split router and the usual one " + (usual.equals(split) ? "agree" : "DIFFER")
                    + " on what the hosts receive");
        }
    }

    private static PathSpec path(String name) {
        PathSpec spec = PathSpec.of(100_000_000L, Duration.ofMillis(10));
        return name.equals("lossy") ? spec.withLoss(LossModel.bernoulli(0.005)) : spec;
    }

    private static SimTestbedBenchmark.Run sequential(String name) {
        return new SimTestbedBenchmark.Run(Topologies.performanceTestbed(new Simulation(1), path(name), path(name)));
    }

    private static SimTestbedBenchmark.Run splitRouter(String name) {
        return new SimTestbedBenchmark.Run(Topologies.splitRouter(new Simulation(1), path(name), path(name)));
    }

    private static SimTestbedBenchmark.Run parallel(String name) {
        ParallelSimulation parallel = new ParallelSimulation(1, 2);
        return new SimTestbedBenchmark.Run(Topologies.performanceTestbed(parallel, path(name), path(name)), parallel);
    }

    private static void run(String name, SimTestbedBenchmark.Run run, long bytes) {
        TraceDigest digest = new TraceDigest();
        run.bed().sim().observeAllLinks(digest);
        SimEngineBenchmark.Counts counts = new SimEngineBenchmark.Counts();
        SimTestbedBenchmark.mptcpTwoPaths(run, bytes, counts);
        System.out.printf("%s: %d packets, %d events, %d simulated ns, trace %s%n", name, digest.packets(), counts.events,
                counts.simulatedNanos, digest.hex());
    }

    /**
     * Runs the transfer with a digest per link of what it delivers up to {@code untilNanos} (only
     * of the links into a host, by host and path, if {@code intoHosts}); prints and returns the
     * digest of those digests in name order.
     */
    private static String byLink(String name, SimTestbedBenchmark.Run run, long bytes, long untilNanos,
            boolean intoHosts) {
        Map<String, TraceDigest> digests = new TreeMap<>();
        if (intoHosts) {
            run.bed().linksIntoHosts().forEach((hop, link) -> digests.put(hop, observe(link, new TraceDigest(hop), untilNanos)));
        } else {
            for (Link link : run.links()) {
                digests.put(link.name(), observe(link, new TraceDigest(), untilNanos));
            }
        }
        SimEngineBenchmark.Counts counts = new SimEngineBenchmark.Counts();
        SimTestbedBenchmark.mptcpTwoPaths(run, bytes, counts);
        MessageDigest all = sha256();
        long packets = 0;
        for (Map.Entry<String, TraceDigest> e : digests.entrySet()) {
            packets += e.getValue().packets();
            all.update((e.getKey() + "=" + e.getValue().hex()).getBytes(StandardCharsets.UTF_8));
        }
        String hex = HexFormat.of().formatHex(all.digest());
        System.out.printf("%s: %d packets, %d events, %d simulated ns, links' traces %s%n", name, packets, counts.events,
                counts.simulatedNanos, hex);
        return hex;
    }

    /** {@code d}, fed what {@code link} delivers up to {@code untilNanos}. */
    private static TraceDigest observe(Link link, TraceDigest d, long untilNanos) {
        link.observeReceive((now, l, p) -> {
            if (now <= untilNanos) {
                d.observe(now, l, p);
            }
        });
        return d;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
