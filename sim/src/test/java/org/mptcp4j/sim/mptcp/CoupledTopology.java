package org.mptcp4j.sim.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.stack.StackConfig;

/**
 * Test fixture for RFC 6356's goals: a multipath {@code user} with one address per path, regular
 * TCP hosts that compete on a path, and one {@code server} that sinks every flow.
 *
 * <pre>
 *   user --(fast)--> r1 --path 1--> r --server link--> server
 *   user --(fast)--> r2 --path 2--/
 *   tcp1 --(fast)--> r1        (competitors enter a path at its router)
 * </pre>
 *
 * A path is the link from its router r_i to the core router r (its loss, if any, applies towards
 * the server); the server link is fast unless a
 * test makes it the shared bottleneck. Every sender runs an endless {@link BulkSender}; the user's
 * stack joins a subflow from each address beyond the first ({@code subflow} endpoints). What each
 * flow delivered and what crossed each path are counted from {@link #startMeasuring()}.
 */
final class CoupledTopology {
    static final String SERVER = "198.18.0.2";
    static final int PORT = 5001;
    private static final LinkSpec FAST = LinkSpec.of(10_000_000_000L, Duration.ZERO);

    final long seed;
    final Simulation sim;
    final Host server;
    final Router core;
    final DuplexLink serverLink;
    final Sink sink = new Sink(PORT).withoutHashing();
    final StackEndpoint serverEnd;
    final List<Router> pathRouters = new ArrayList<>();
    final List<DuplexLink> paths = new ArrayList<>();
    final List<String> userAddresses = new ArrayList<>();
    final List<String> tcpAddresses = new ArrayList<>();
    private long measureFromNanos = -1;
    private long[] pathBytesAtMark;
    private final List<BulkSender> senders = new ArrayList<>();
    private final List<String> senderAddresses = new ArrayList<>();
    private long[] flowBytesAtMark;

    /**
     * @param serverLink the link from the core router to the server (the shared bottleneck, or
     *     {@code null} for a fast one)
     * @param pathSpecs the paths, from their routers to the core router
     */
    CoupledTopology(long seed, LinkSpec serverLink, LinkSpec... pathSpecs) {
        this.seed = seed;
        sim = new Simulation(seed);
        core = sim.router("r");
        server = sim.host("server", SERVER);
        this.serverLink = sim.connect(core, server, serverLink == null ? FAST : serverLink);
        server.route("0.0.0.0/0", this.serverLink.bToA());
        core.route(SERVER + "/32", this.serverLink.aToB());
        serverEnd = new StackEndpoint(StackConfig.defaults()).add(sink);
        server.attach(serverEnd);
        for (int i = 0; i < pathSpecs.length; i++) {
            Router ri = sim.router("r" + (i + 1));
            // The path's loss applies towards the server only: ACKs come back whole.
            DuplexLink p = sim.connect(ri, core, pathSpecs[i], pathSpecs[i].withLoss(LossModel.NONE));
            ri.route(SERVER + "/32", p.aToB());
            pathRouters.add(ri);
            paths.add(p);
            userAddresses.add("198.18." + (i + 1) + "1.2");
        }
    }

    /** The multipath user: an MPTCP connection with a subflow per path, on {@code config}'s congestion control. */
    CoupledTopology user(StackConfig config) {
        Host user = sim.host("user");
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String a = userAddresses.get(i);
            user.address(a);
            DuplexLink l = sim.connect(user, pathRouters.get(i), FAST);
            user.bind(a, l.aToB());
            if (i == 0) {
                user.route("0.0.0.0/0", l.aToB());
            }
            pathRouters.get(i).route(a + "/32", l.bToA());
            core.route(a + "/32", paths.get(i).bToA());
            if (i > 0) {
                endpoints.add(Endpoint.of(address(a), i, Endpoint.Flag.SUBFLOW));
            }
        }
        StackConfig c = config.withMptcp(config.mptcp().withEndpoints(endpoints)
                .withLimits(new Limits(Math.max(1, paths.size() - 1), 0)));
        addSender(user, userAddresses.getFirst(), c);
        return this;
    }

    /** A regular TCP host entering path {@code path} (from 0) at its router, on {@code config}. */
    CoupledTopology tcp(int path, StackConfig config) {
        int n = tcpAddresses.size() + 1;
        String a = "198.18.1" + n + "0.2";
        Host h = sim.host("tcp" + n, a);
        DuplexLink l = sim.connect(h, pathRouters.get(path), FAST);
        h.route("0.0.0.0/0", l.aToB());
        pathRouters.get(path).route(a + "/32", l.bToA());
        core.route(a + "/32", paths.get(path).bToA());
        tcpAddresses.add(a);
        addSender(h, a, config.withMptcpEnabled(false));
        return this;
    }

    private void addSender(Host h, String a, StackConfig config) {
        BulkSender app = new BulkSender(new InetSocketAddress(address(SERVER), PORT), 1L << 50,
                seed * 100 + senders.size()).withoutHashing().from(address(a));
        h.attach(new StackEndpoint(config).add(app));
        senders.add(app);
        senderAddresses.add(a);
    }

    /** Runs to {@code warmupNanos}, starts counting, runs for {@code measureNanos} more. */
    void run(long warmupNanos, long measureNanos) {
        sim.runUntil(warmupNanos);
        startMeasuring();
        sim.runUntil(warmupNanos + measureNanos);
    }

    void startMeasuring() {
        measureFromNanos = sim.nowNanos();
        flowBytesAtMark = flowBytes();
        pathBytesAtMark = new long[paths.size()];
        for (int i = 0; i < paths.size(); i++) {
            pathBytesAtMark[i] = paths.get(i).aToB().counters().bytesDelivered();
        }
    }

    /** Bytes each sender delivered to the server so far, in the order they were added. */
    private long[] flowBytes() {
        long[] out = new long[senders.size()];
        for (Sink.Flow f : sink.flows()) {
            var info = serverEnd.stack().info(f.conn());
            if (info != null) {
                int i = senderAddresses.indexOf(info.remote().getAddress().getHostAddress());
                if (i >= 0) {
                    out[i] = f.bytes();
                }
            }
        }
        return out;
    }

    /** Goodput of sender {@code i} (the user first, if added first) since {@link #startMeasuring()}, bit/s. */
    double goodputBps(int i) {
        return (flowBytes()[i] - flowBytesAtMark[i]) * 8 / Nanos.toSeconds(sim.nowNanos() - measureFromNanos);
    }

    /** Bytes path {@code i} delivered towards the server since {@link #startMeasuring()} (all flows on it). */
    long pathBytes(int i) {
        return paths.get(i).aToB().counters().bytesDelivered() - pathBytesAtMark[i];
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("seed ").append(seed).append(" at ")
                .append(Nanos.toSeconds(sim.nowNanos())).append(" s:");
        for (int i = 0; i < senders.size(); i++) {
            b.append(String.format(java.util.Locale.ROOT, " %s %.2f Mbit/s;", senderAddresses.get(i),
                    measureFromNanos < 0 ? 0 : goodputBps(i) / 1e6));
        }
        for (int i = 0; i < paths.size(); i++) {
            b.append("\n path ").append(i + 1).append(' ').append(paths.get(i).aToB().counters());
        }
        b.append("\n server link ").append(serverLink.aToB().counters());
        return b.toString();
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
