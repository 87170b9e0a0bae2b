package org.mptcp4j.cli.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.sim.Host;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.CongestionTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.StackConfig;

/**
 * One run on the paper's congestion testbed (its Fig. 2): {@code tcpFlows} regular Reno
 * connections from the TCP host (iperf -P) and one MPTCP connection with {@code subflows}
 * subflows from the MPTCP host, all bulk transfers to the server through the 100 Mbit/s
 * bottleneck. The MPTCP host has one address per subflow on its single access link (the paper
 * varies "the number of MPTCP subflows used by the bottom host"; {@code subflow} endpoints are
 * how Linux opens them); every subflow crosses the same bottleneck.
 *
 * <p>The paper gives no delays or queue: the bottleneck has 10 ms one way (20 ms RTT) and a
 * drop-tail queue of one bandwidth-delay product (170 packets). Throughput is counted at the
 * server from {@code warmupNanos} to the end.
 */
final class SharedBottleneckRun {
    static final long MBPS = 1_000_000;
    static final long BOTTLENECK_BPS = 100 * MBPS;
    static final Duration ONE_WAY_DELAY = Duration.ofMillis(10);
    static final int QUEUE_PACKETS = 170;
    private static final int PORT = 5001;

    private SharedBottleneckRun() {}

    /** Goodput of the MPTCP connection and of the regular TCP flows, in Mbit/s. */
    record Result(double mptcpMbps, double tcpMeanMbps, double tcpTotalMbps, double bottleneckDropPercent,
                  long packets) {}

    static Result run(long seed, String mptcpCc, int tcpFlows, int subflows, double lossPercent, long durationNanos) {
        Simulation sim = new Simulation(seed);
        PathSpec neck = PathSpec.of(BOTTLENECK_BPS, ONE_WAY_DELAY).withQueue(QueueLimit.packets(QUEUE_PACKETS))
                .withLoss(LossModel.bernoulli(lossPercent / 100));
        CongestionTestbed bed = Topologies.congestionTestbed(sim, LinkSpec.of(1000 * MBPS, 0), neck);

        Sink sink = new Sink(PORT).withoutHashing();
        StackEndpoint server = new StackEndpoint(StackConfig.defaults()).add(sink);
        bed.server().attach(server);
        InetSocketAddress serverAddress = new InetSocketAddress(address(CongestionTestbed.SERVER_ADDRESS), PORT);

        StackEndpoint tcp = new StackEndpoint(StackConfig.defaults().withCongestionControl("reno").withMptcpEnabled(false));
        for (int i = 0; i < tcpFlows; i++) {
            tcp.add(new BulkSender(serverAddress, Long.MAX_VALUE / 2, seed * 1000 + i).withoutHashing());
        }
        bed.tcpSender().attach(tcp);

        Host mptcp = bed.mptcpSender();
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 1; i < subflows; i++) {
            String extra = "198.18.2." + (2 + i);
            mptcp.address(extra);
            mptcp.bind(extra, bed.mptcpAccess().aToB());
            bed.router().route(extra + "/32", bed.mptcpAccess().bToA());
            endpoints.add(Endpoint.of(address(extra), i, Endpoint.Flag.SUBFLOW));
        }
        StackConfig base = StackConfig.defaults().withCongestionControl(mptcpCc);
        StackConfig user = base.withMptcp(base.mptcp().withEndpoints(endpoints)
                .withLimits(new Limits(Math.max(1, subflows - 1), 0)));
        mptcp.attach(new StackEndpoint(user).add(new BulkSender(serverAddress, Long.MAX_VALUE / 2, seed * 1000 + 999)
                .withoutHashing().from(address(CongestionTestbed.MPTCP_SENDER_ADDRESS))));

        long warmup = Math.min(Nanos.ofSeconds(10), durationNanos / 5);
        sim.runUntil(warmup);
        Map<Object, Long> atMark = bytesByFlow(sink);
        long droppedAtMark = drops(bed);
        long sentAtMark = bed.bottleneck().aToB().counters().packetsSent();
        sim.runUntil(durationNanos);
        double seconds = Nanos.toSeconds(durationNanos - warmup);

        long mptcpBytes = 0;
        long tcpBytes = 0;
        for (Sink.Flow f : sink.flows()) {
            long bytes = f.bytes() - atMark.getOrDefault(f.conn(), 0L);
            ConnectionInfo info = server.stack().info(f.conn());
            String from = info == null ? "" : info.remote().getAddress().getHostAddress();
            if (from.equals(CongestionTestbed.TCP_SENDER_ADDRESS)) {
                tcpBytes += bytes;
            } else {
                mptcpBytes += bytes;
            }
        }
        long sent = bed.bottleneck().aToB().counters().packetsSent() - sentAtMark;
        double dropPercent = sent == 0 ? 0 : 100.0 * (drops(bed) - droppedAtMark) / sent;
        long packets = sim.links().stream().mapToLong(l -> l.counters().packetsDelivered()).sum();
        double tcpTotal = tcpBytes * 8 / seconds / 1e6;
        return new Result(mptcpBytes * 8 / seconds / 1e6, tcpFlows == 0 ? 0 : tcpTotal / tcpFlows, tcpTotal,
                dropPercent, packets);
    }

    private static long drops(CongestionTestbed bed) {
        var c = bed.bottleneck().aToB().counters();
        return c.droppedQueue() + c.droppedLoss();
    }

    private static Map<Object, Long> bytesByFlow(Sink sink) {
        Map<Object, Long> m = new HashMap<>();
        for (Sink.Flow f : sink.flows()) {
            m.put(f.conn(), f.bytes());
        }
        return m;
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
