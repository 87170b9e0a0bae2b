package org.mptcp4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.LossModel;
import org.mptcp4j.sim.PcapTap;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.StackConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: the paper's performance testbed (its Fig. 3) in the deterministic simulator, with
 * the engine's TCP moving a stream over each of the two paths at once, checked end to end by
 * SHA-256. The MPTCP connection layer, when it lands, turns the two streams into one connection
 * over both paths; this command then shows the aggregation.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Transfer over the paper's two-path testbed (Fig. 3) in the simulator and report what each path carried.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--megabytes", defaultValue = "64", description = "Bytes to send on each path, in MiB (default ${DEFAULT-VALUE}).")
    long megabytes;

    @Option(names = "--seed", defaultValue = "1", description = "Run seed; the same seed replays the same run bit for bit (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cc", defaultValue = "cubic", description = "Congestion control: reno or cubic (default ${DEFAULT-VALUE}).")
    String congestionControl;

    @Option(names = "--loss-b", defaultValue = "0.1", description = "Random loss on path B, percent (default ${DEFAULT-VALUE}).")
    double lossPercentB;

    @Option(names = "--pcap", description = "Write every packet the destination receives to this pcap file (open it in Wireshark).")
    Path pcap;

    @Override
    public Integer call() throws IOException {
        PathSpec specA = PathSpec.of(100 * Topologies.MBPS, Duration.ofMillis(10));
        PathSpec specB = PathSpec.of(40 * Topologies.MBPS, Duration.ofMillis(40))
                .withLoss(LossModel.bernoulli(lossPercentB / 100.0));
        PerformanceTestbed bed = Topologies.performanceTestbed(new org.mptcp4j.sim.Simulation(seed), specA, specB);

        System.out.println("mptcp4j " + Version.current() + " on Java " + Runtime.version());
        System.out.printf("Simulated testbed (the paper's Fig. 3), seed %d:%n", seed);
        System.out.printf("  path A  %s -> %s  100 Mbit/s, 10 ms one way, no loss%n", bed.pathA().sourceAddress(), bed.pathA().destinationAddress());
        System.out.printf("  path B  %s -> %s   40 Mbit/s, 40 ms one way, %.1f %% loss%n", bed.pathB().sourceAddress(), bed.pathB().destinationAddress(), lossPercentB);
        System.out.printf("One TCP connection per path (%s), %d MiB each, both at once.%n%n", congestionControl, megabytes);

        StackConfig config = StackConfig.defaults().withCongestionControl(congestionControl);
        long bytes = megabytes << 20;
        Sink sinkA = new Sink(5001);
        Sink sinkB = new Sink(5002);
        bed.destination().attach(new StackEndpoint(config).add(sinkA).add(sinkB));
        BulkSender senderA = new BulkSender(new InetSocketAddress(address(bed.pathA().destinationAddress()), 5001), bytes, seed)
                .from(address(bed.pathA().sourceAddress()));
        BulkSender senderB = new BulkSender(new InetSocketAddress(address(bed.pathB().destinationAddress()), 5002), bytes, seed + 1)
                .from(address(bed.pathB().sourceAddress()));
        bed.source().attach(new StackEndpoint(config).add(senderA).add(senderB));

        PcapTap tap = pcap == null ? null : PcapTap.open(new BufferedOutputStream(Files.newOutputStream(pcap)));
        if (tap != null) {
            tap.watch(bed.pathA().destinationSide().aToB(), PcapTap.Point.RECEIVE)
                    .watch(bed.pathB().destinationSide().aToB(), PcapTap.Point.RECEIVE)
                    .watch(bed.pathA().destinationSide().bToA(), PcapTap.Point.TRANSMIT)
                    .watch(bed.pathB().destinationSide().bToA(), PcapTap.Point.TRANSMIT);
        }
        long wallStart = System.nanoTime();
        boolean finished = bed.sim().runUntil(() -> complete(sinkA) && complete(sinkB), Nanos.ofSeconds(3600));
        long wallNanos = System.nanoTime() - wallStart;
        if (tap != null) {
            tap.close();
        }

        System.out.println("path  MiB   seconds  goodput Mbit/s  srtt ms  cwnd KiB  retransmits  SHA-256 equal");
        boolean intact = row("A", senderA, sinkA) & row("B", senderB, sinkB);
        long delivered = bed.sim().links().stream().mapToLong(l -> l.counters().packetsDelivered()).sum();
        System.out.printf("%n%.1f s of network time in %.2f s of wall time: %,d packet hops, %,d events (%.1f M events/s).%n",
                Nanos.toSeconds(bed.sim().nowNanos()), wallNanos / 1e9, delivered, bed.sim().eventsProcessed(),
                bed.sim().eventsProcessed() / (wallNanos / 1e3));
        if (pcap != null) {
            System.out.printf("Capture: %s (%,d packets); try: tshark -r %s -q -z conv,tcp%n", pcap, tap.packetsWritten(), pcap);
        }
        System.out.println();
        System.out.println("Next: the MPTCP connection layer carries ONE stream over both paths (RFC 8684).");
        System.out.println("More: ./mptcp4j perf --help (over UDP or TUN), ./mptcp4j testbed up (kernel peers in namespaces).");
        return finished && intact ? 0 : 1;
    }

    private static boolean complete(Sink sink) {
        List<Sink.Flow> flows = sink.flows();
        return !flows.isEmpty() && flows.getFirst().isComplete();
    }

    private static boolean row(String path, BulkSender sender, Sink sink) {
        if (sink.flows().isEmpty()) {
            System.out.printf("%-4s  no connection (%s)%n", path, sender.failure().map(Enum::name).orElse("not finished"));
            return false;
        }
        Sink.Flow flow = sink.flow();
        ConnectionInfo info = sender.info();
        double seconds = Nanos.toSeconds(flow.eofNanos() - flow.firstByteNanos());
        boolean equal = flow.isComplete() && flow.sha256().equals(sender.sha256());
        System.out.printf("%-4s  %-5d %7.2f  %14.1f  %7.1f  %8d  %11d  %s%n", path, flow.bytes() >> 20, seconds,
                flow.bytes() * 8 / seconds / 1e6, info == null ? 0 : info.srttNanos() / 1e6,
                info == null ? 0 : info.cwndBytes() >> 10, info == null ? 0 : info.retransmits(), equal ? "yes" : "NO");
        return equal;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

}
