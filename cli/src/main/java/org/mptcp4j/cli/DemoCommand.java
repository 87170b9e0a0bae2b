package org.mptcp4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.PcapTap;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.StackConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: the paper's performance testbed (its Fig. 3) in the deterministic simulator, with
 * ONE MPTCP connection over both paths. The source connects from its path-A address; a
 * {@code subflow} endpoint on its path-B address (Linux: {@code ip mptcp endpoint add ADDR subflow})
 * joins a second subflow once the connection is established. Every second of network time it
 * prints a line per subflow, as iperf does per interval, and at the end the goodput against the sum
 * of the two paths' rates, the SHA-256 of both ends and the MPTCP counters of both stacks.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "One MPTCP connection over the paper's two-path testbed (Fig. 3) in the simulator: a subflow per path, "
                + "per-second lines per subflow, goodput against the sum of the paths.")
final class DemoCommand implements Callable<Integer> {
    private static final int PORT = 5001;

    @Option(names = "--megabytes", defaultValue = "64", description = "Bytes to send, in MiB (default ${DEFAULT-VALUE}).")
    long megabytes;

    @Option(names = "--seed", defaultValue = "1", description = "Run seed; the same seed replays the same run bit for bit (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cc", defaultValue = "cubic", description = "Congestion control of each subflow: reno or cubic "
            + "(uncoupled), lia, olia or balia (coupled), lia-exact (default ${DEFAULT-VALUE}).")
    String congestionControl;

    @Option(names = "--rate-a", defaultValue = "100", description = "Rate of path A, Mbit/s (default ${DEFAULT-VALUE}).")
    double rateMbpsA;

    @Option(names = "--rate-b", defaultValue = "40", description = "Rate of path B, Mbit/s (default ${DEFAULT-VALUE}).")
    double rateMbpsB;

    @Option(names = "--delay-a", defaultValue = "10", description = "One-way delay of path A, ms (default ${DEFAULT-VALUE}).")
    double delayMsA;

    @Option(names = "--delay-b", defaultValue = "40", description = "One-way delay of path B, ms (default ${DEFAULT-VALUE}).")
    double delayMsB;

    @Option(names = "--loss-a", defaultValue = "0", description = "Random loss on path A, percent (default ${DEFAULT-VALUE}).")
    double lossPercentA;

    @Option(names = "--loss-b", defaultValue = "0.1", description = "Random loss on path B, percent (default ${DEFAULT-VALUE}).")
    double lossPercentB;

    @Option(names = "--no-mptcp", description = "Plain TCP over path A only (net.mptcp.enabled=0 on both hosts): the baseline.")
    boolean noMptcp;

    @Option(names = "--small-queues", description = "Both hosts with TCP Small Queues, as Linux hosts have them: the source "
            + "keeps a couple of segments per subflow in its own links' queues instead of filling them (docs/SIMULATOR.md).")
    boolean smallQueues;

    /**
     * In the demo: kernel, a subflow endpoint on the source's path-B address; fullmesh, the
     * destination announces its path-B address; ndiffports over path A; userspace, a program on
     * the source answers ESTABLISHED with a subflow from path B ({@link DemoPathManager}).
     */
    @picocli.CommandLine.Mixin
    PathManagerOptions pm = new PathManagerOptions();

    @Option(names = "--plot", paramLabel = "PNG",
            description = "Draw the run: per-subflow goodput and congestion window over time, path-manager events marked.")
    Path plot;

    @Option(names = "--scheduler", paramLabel = "NAME", defaultValue = "default",
            description = "Packet scheduler of both hosts: default, linger, roundrobin[:N], redundant, blest, ecf, "
                    + "handover, interactive, aggregate (default ${DEFAULT-VALUE}; docs/SCHEDULERS.md).")
    String scheduler;

    @Option(names = "--scheduler-trace", paramLabel = "FILE",
            description = "Write every scheduling decision of the source to FILE as CSV (docs/SCHEDULERS.md).")
    Path schedulerTrace;

    @Option(names = "--pcap", description = "Write every packet the destination receives to this pcap file (open it in Wireshark).")
    Path pcap;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        String pathManager;
        try {
            pathManager = pm.name();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        PathSpec specA = path(rateMbpsA, delayMsA, lossPercentA);
        PathSpec specB = path(rateMbpsB, delayMsB, lossPercentB);
        PerformanceTestbed bed = Topologies.performanceTestbed(new Simulation(seed), specA, specB);
        InetAddress sourceA = address(bed.pathA().sourceAddress());
        InetAddress sourceB = address(bed.pathB().sourceAddress());
        InetAddress destinationA = address(bed.pathA().destinationAddress());

        out.println("mptcp4j " + Version.current() + " on Java " + Runtime.version());
        out.printf("Simulated testbed (the paper's Fig. 3), seed %d:%n", seed);
        describe(out, bed.pathA(), lossPercentA);
        describe(out, bed.pathB(), lossPercentB);
        InetAddress destinationB = address(bed.pathB().destinationAddress());
        // The data-level send buffer holds what is in flight on all paths until the DATA_ACK covers
        // it: the sum of the rates times the longest RTT, and more while a path recovers. The stack
        // tunes it up to this ceiling, Linux's tcp_wmem[2] and StackConfig's default.
        StackConfig server = StackConfig.defaults().withCongestionControl(congestionControl).withSendBufferBytes(4 << 20)
                .withMptcpEnabled(!noMptcp);
        try {
            server = server.withMptcp(server.mptcp().withScheduler(MptcpOptions.schedulerName(scheduler)));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        DemoPathManager paths = DemoPathManager.of(pathManager, pm.ndiffports(), sourceB, destinationB,
                new InetSocketAddress(destinationA, PORT));
        StackConfig client = paths.client(server);
        server = paths.server(server);
        if (noMptcp) {
            out.printf("One plain TCP connection (%s) over path A, %d MiB, MPTCP off on both hosts.%n%n", congestionControl, megabytes);
        } else {
            out.printf("One MPTCP connection (%s on each subflow, scheduler %s), %d MiB from %s to %s:%n", congestionControl,
                    scheduler, megabytes,
                    sourceA.getHostAddress(), destinationA.getHostAddress());
            out.printf("  %s%n%n", paths.describe());
        }
        long bytes = megabytes << 20;
        Sink sink = new Sink(PORT);
        StackEndpoint destination = new StackEndpoint(server).add(sink);
        BulkSender sender = new BulkSender(new InetSocketAddress(destinationA, PORT), bytes, seed).from(sourceA);
        StackEndpoint source = new StackEndpoint(client).add(sender);
        if (smallQueues) {
            destination.withSmallQueues();
            source.withSmallQueues();
        }
        bed.destination().attach(destination);
        bed.source().attach(source);
        SchedulerTraceFile trace = SchedulerTraceFile.open(schedulerTrace);
        if (trace != null) {
            source.stack().setSchedulerTrace(sender.conn(), trace.csv); // opened as the source attached, nothing sent yet
        }

        PcapTap tap = pcap == null ? null : PcapTap.open(new BufferedOutputStream(Files.newOutputStream(pcap)));
        if (tap != null) {
            tap.watch(bed.pathA().destinationSide().aToB(), PcapTap.Point.RECEIVE)
                    .watch(bed.pathB().destinationSide().aToB(), PcapTap.Point.RECEIVE)
                    .watch(bed.pathA().destinationSide().bToA(), PcapTap.Point.TRANSMIT)
                    .watch(bed.pathB().destinationSide().bToA(), PcapTap.Point.TRANSMIT);
        }
        SubflowMonitor monitor = new SubflowMonitor(bed.sim(), source.stack(), sender::conn, destination.stack(),
                () -> sink.flows().isEmpty() ? null : sink.flows().getFirst().conn(), local -> pathOf(bed, local),
                sink::totalBytes, out);
        monitor.start();
        Timeline timeline = plot == null ? null : new Timeline(bed.sim(), monitor, local -> pathOf(bed, local));
        if (timeline != null) {
            timeline.start();
        }
        if (pm.monitor || timeline != null || paths.needsEvents()) {
            new DemoPathManager.EventPump(bed.sim(), hosts(source, destination), (host, e) -> {
                if (pm.monitor) {
                    out.printf(Locale.ROOT, "%8.3f s %-12s %s%n", Nanos.toSeconds(e.timeNanos()), host + ":", e.toMonitorLine());
                }
                if (timeline != null) {
                    timeline.mark(host, e);
                }
                if (host.equals("source")) {
                    paths.onSourceEvent(source, e, bed.sim().nowNanos());
                }
            }).start();
        }
        long wallStart = System.nanoTime();
        boolean finished = bed.sim().runUntil(() -> sink.completeFlows() == 1, Nanos.ofSeconds(3600));
        long wallNanos = System.nanoTime() - wallStart;
        monitor.finish();
        if (timeline != null) {
            timeline.stop();
            timeline.write(plot, String.format(Locale.ROOT, "mptcp4j demo: %s path manager, %s, seed %d", pathManager,
                    congestionControl, seed));
        }
        if (tap != null) {
            tap.close();
        }
        if (trace != null) {
            trace.close(out);
        }
        boolean intact = summary(out, bed, source, destination, sender, sink, monitor);
        long hops = bed.sim().links().stream().mapToLong(l -> l.counters().packetsDelivered()).sum();
        out.printf(Locale.ROOT, "%n%.1f s of network time in %.2f s of wall time: %,d packet hops, %,d events (%.1f M events/s).%n",
                Nanos.toSeconds(bed.sim().nowNanos()), wallNanos / 1e9, hops, bed.sim().eventsProcessed(),
                bed.sim().eventsProcessed() / (wallNanos / 1e3));
        if (plot != null) {
            out.printf("Timeline: %s (per-subflow goodput and cwnd, path-manager events marked)%n", plot);
        }
        if (pcap != null) {
            out.printf("Capture: %s (%,d packets); try: tshark -r %s -q -z conv,tcp%n", pcap, tap.packetsWritten(), pcap);
        }
        out.println("More: ./mptcp4j perf --mode udp (MPTCP between two mptcp4j stacks over loopback UDP), ./mptcp4j testbed up.");
        return finished && intact ? 0 : 1;
    }

    private boolean summary(PrintStream out, PerformanceTestbed bed, StackEndpoint source, StackEndpoint destination,
            BulkSender sender, Sink sink, SubflowMonitor monitor) {
        out.println();
        if (sink.flows().isEmpty()) {
            out.printf("no connection (%s)%n", sender.failure().map(Enum::name).orElse("not finished"));
            return false;
        }
        Sink.Flow flow = sink.flow();
        double seconds = Nanos.toSeconds(flow.eofNanos() - flow.firstByteNanos());
        double goodputMbps = flow.bytes() * 8 / seconds / 1e6;
        double sumMbps = noMptcp ? rateMbpsA : rateMbpsA + rateMbpsB;
        boolean equal = flow.isComplete() && flow.bytes() == sender.written() && flow.sha256().equals(sender.sha256());
        List<SubflowMonitor.Row> rows = monitor.rows().stream().filter(r -> r.sender() != null).toList();
        out.printf(Locale.ROOT, "Connection: %s, %d subflow%s; %.1f MiB in %.2f s%n", monitor.mode(), rows.size(),
                rows.size() == 1 ? "" : "s", flow.bytes() / 1048576.0, seconds);
        for (SubflowMonitor.Row r : rows) {
            out.printf(Locale.ROOT, "  subflow %s %s -> %s: %.1f MB of data (%.0f %%), %d retransmits%n", pathOf(bed, r.local),
                    r.local, r.sender().remote(), r.delivered() / 1e6, 100.0 * r.delivered() / Math.max(1, flow.bytes()),
                    r.sender().retransmits());
        }
        out.printf(Locale.ROOT, "Goodput: %.1f Mbit/s of %.1f Mbit/s (%s) = %.0f %%%n", goodputMbps, sumMbps,
                noMptcp ? "path A" : String.format(Locale.ROOT, "%.0f + %.0f, paths A + B", rateMbpsA, rateMbpsB),
                100 * goodputMbps / sumMbps);
        out.printf(Locale.ROOT, "Source's own link queues: %d + %d packets dropped (paths A + B; TCP Small Queues %s)%n",
                bed.pathA().sourceSide().aToB().counters().droppedQueue(),
                bed.pathB().sourceSide().aToB().counters().droppedQueue(), smallQueues ? "on" : "off: --small-queues");
        out.printf("SHA-256 sent     %s%nSHA-256 received %s  %s%n", sender.sha256(), flow.sha256(), equal ? "equal" : "DIFFER");
        out.println("MPTCP counters (nstat names, non-zero):");
        counters(out, "source", source);
        counters(out, "destination", destination);
        return equal;
    }

    private static void counters(PrintStream out, String host, StackEndpoint e) {
        StringBuilder line = new StringBuilder();
        e.stack().mib().snapshot().entrySet().stream()
                .filter(c -> c.getKey().startsWith("MPTcpExt") && c.getValue() != 0)
                .sorted(Map.Entry.comparingByKey())
                .forEach(c -> line.append(' ').append(c.getKey()).append('=').append(c.getValue()));
        out.printf("  %-12s%s%n", host + ":", line.length() == 0 ? " none" : line);
    }

    private static Map<String, StackEndpoint> hosts(StackEndpoint source, StackEndpoint destination) {
        Map<String, StackEndpoint> m = new java.util.LinkedHashMap<>();
        m.put("source", source);
        m.put("destination", destination);
        return m;
    }

    private static String pathOf(PerformanceTestbed bed, InetSocketAddress local) {
        String a = local.getAddress().getHostAddress();
        return a.equals(bed.pathA().sourceAddress()) ? "A" : a.equals(bed.pathB().sourceAddress()) ? "B" : "?";
    }

    private static void describe(PrintStream out, PerformanceTestbed.Path p, double lossPercent) {
        out.printf(Locale.ROOT, "  path %s  %s -> %s  %.0f Mbit/s, %.0f ms one way, %.1f %% loss%n", p.name(), p.sourceAddress(),
                p.destinationAddress(), p.spec().rateBps() / 1e6, p.spec().oneWayDelayNanos() / 1e6, lossPercent);
    }

    private static PathSpec path(double rateMbps, double delayMs, double lossPercent) {
        PathSpec p = PathSpec.of((long) (rateMbps * 1e6), java.time.Duration.ofNanos((long) (delayMs * 1e6)));
        return lossPercent > 0 ? p.withLoss(LossModel.bernoulli(lossPercent / 100.0)) : p;
    }


    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
